// Checking job argument text before it is written or run.
#pragma once

#include <string>
#include <string_view>

namespace onyx::common {

/// Checks that `json` is one complete JSON value in valid UTF-8. Returns an empty string when
/// valid, else a sentence naming the offset (bytes) and the parse error ("Invalid encoding in
/// string." for bytes that are not UTF-8). Parses iteratively, so deep nesting
/// cannot overflow the stack. Pure; thread-safe.
std::string json_problem(std::string_view json);

}  // namespace onyx::common
