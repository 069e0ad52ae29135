// The queue name rule of docs/protocol.md, shared by the config, the CLI and producers.
#pragma once

#include <string>
#include <string_view>

namespace onyx::common {

/// Checks a queue name: non-empty, no ',' (it separates queue lists) and no control character
/// (bytes 0x00-0x1f and 0x7f). Returns an empty string when valid, else a sentence saying what
/// is wrong ("queue name holds a ','"); the name itself is not echoed. Pure; thread-safe.
std::string queue_name_problem(std::string_view queue);

}  // namespace onyx::common
