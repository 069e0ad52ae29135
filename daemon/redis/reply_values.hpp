// A hiredis reply copied into the values protocol's script decoders take
// (protocol/script_reply.hpp), so those decoders need no hiredis and no Redis.
#pragma once

#include "protocol/script_reply.hpp"

#include <hiredis/hiredis.h>

#include <string>
#include <string_view>
#include <vector>

namespace onyx::redis {

/// The elements of an array reply as decoder values: an integer as its decimal text, a string
/// or status as its text, anything else (nil, a nested array, an error) as nullopt. Returns
/// false and fills `problem` when there is no reply (`problem` = `error`, as given to the
/// command's callback), Redis answered with an error (its text) or the reply is not an array.
/// Copies: `values` outlives the reply. Any thread (touches only the reply).
bool array_reply_values(const redisReply* reply, std::string_view error, std::vector<protocol::ReplyValue>& values,
                        std::string& problem);

/// The one value of a reply that is not an array, converted as array_reply_values converts an
/// element (nil = nullopt). Returns false and fills `problem` for no reply, an error reply or
/// an array. Any thread.
bool single_reply_value(const redisReply* reply, std::string_view error, protocol::ReplyValue& value,
                        std::string& problem);

}  // namespace onyx::redis
