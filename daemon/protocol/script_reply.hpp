// What every script reply decoder shares (protocol/*_call.hpp, attempt_records.hpp): a reply
// value copied out of hiredis (redis/reply_values.hpp), so the decoders stay pure, and the
// reading of the counts most scripts return.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onyx::protocol {

/// One element of a script reply: nullopt for nil, else the text (integers as decimal).
using ReplyValue = std::optional<std::string>;

/// `value` as a whole decimal number: an optional '-' then digits, nothing else, within int64.
/// Returns nullopt for nil, "" and anything else (a fraction, an exponent, spaces). Pure.
std::optional<int64_t> reply_integer(const ReplyValue& value);

/// Checks that the reply of `script` (its name, for the message) has exactly `size` values and
/// reads its first `counts.size()` values, each a whole number >= 0, into the pointed-to
/// fields in order. Returns false and fills `error` (naming the script and the value) when the
/// size or a value is wrong; the fields are then partly written. Pure.
bool read_counts(std::string_view script, const std::vector<ReplyValue>& values, size_t size,
                 std::initializer_list<int64_t*> counts, std::string& error);

/// A reply value as a log message quotes it: `nil`, or the text in quotes, cut to 40 bytes.
std::string describe_reply_value(const ReplyValue& value);

}  // namespace onyx::protocol
