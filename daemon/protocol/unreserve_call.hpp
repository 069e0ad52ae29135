// The unreserve script's arguments and reply (protocol/scripts.hpp kUnreserveScript). Pure:
// the claimer feeds the reply in, unit tests feed values in.
#pragma once

#include "protocol/script_reply.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace onyx::protocol {

/// One unreserve call: gives back what the worker's wake-ups reserved on these queues.
struct UnreserveCall {
    std::string ns;
    std::string worker_id;
    std::vector<std::string> queues;
};

/// EVALSHA argv of one unreserve call: KEYS `reserved:<wid>:<q>`, `ready:<q>` per queue, in
/// order; no ARGV.
std::vector<std::string> unreserve_arguments(std::string_view script_sha, const UnreserveCall& call);

/// What one unreserve call did.
struct UnreserveResult {
    int64_t returned = 0; ///< ids moved back to the head of their `ready:<q>`
};

/// Decodes the unreserve reply, a single integer (not an array: redis/reply_values.hpp
/// single_reply_value). Returns false (and fills `error`) when it is not a count.
bool parse_unreserve_reply(const ReplyValue& value, UnreserveResult& out, std::string& error);

}  // namespace onyx::protocol
