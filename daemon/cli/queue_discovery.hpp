// Which queues an operator subcommand looks at: the -q list when given, else the members of
// `<ns>:queues`, else (a Redis written only by the original tools, which keep no queue set)
// the queue names found by SCAN of `<ns>:<kind>:*` keys. That last step is the only place a
// queue name is read back out of a key, and only where the prefix `<ns>:<kind>:` matches
// exactly, so `mail:high` stays one queue.
#pragma once

#include "cli/command_context.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onyx::cli {

/// Queue names (sorted, unique except for a -q list, which keeps its order) and where they
/// came from: "flag", "queues-set" or "scan".
struct QueueList {
    std::vector<std::string> queues;
    std::string source;
};

/// The queues to show: the -q list when given (`flag`, comma-separated), else `<ns>:queues`
/// (or, when empty, the queues found by SCAN) plus every paused queue. Throws
/// config::ConfigError for a bad -q list, common::RedisError when Redis fails.
QueueList discover_queues(CommandContext& ctx, const std::optional<std::string>& flag);

/// The key kinds whose last part is a queue name, as scanned: ready scheduled processing
/// completed failed dead retry stats.
const std::vector<std::string>& queue_key_kinds();

/// The queue of `key` when it is exactly `<ns>:<kind>:<queue>` for one of queue_key_kinds()
/// and a non-empty queue; nullopt otherwise. Pure.
std::optional<std::string> queue_of_key(std::string_view key, std::string_view ns);

/// `text` with the glob characters of SCAN MATCH (`* ? [ ] \`) escaped by a backslash. Pure.
std::string escape_glob(std::string_view text);

}  // namespace onyx::cli
