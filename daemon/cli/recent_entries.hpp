// Newest members of one sorted set per queue (failed attempts, dead jobs), merged over
// queues, newest first: what `failed` and `dead` list. Also parses their shared options.
#pragma once

#include "cli/command_context.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace onyx::cli {

/// Options shared by `failed` and `dead`.
struct ListOptions {
    std::optional<std::string> queues;  ///< -q text; nullopt = every known queue
    int64_t limit = 20;                 ///< --limit N, at most N rows (1..100000)
    std::optional<std::string> since;   ///< --since DURATION: only entries newer than now - DURATION
    bool json = false;                  ///< --json
};

/// One member of a per-queue sorted set.
struct RecentEntry {
    std::string queue;
    std::string id;        ///< attempt id (failed) or job id (dead)
    int64_t score_ms = 0;  ///< the set's score: failure or death time
};

/// The `limit` newest entries over `queues` of the set `key_of(queue)`, scored at or after
/// `since_ms`, newest first. Throws common::RedisError.
std::vector<RecentEntry> read_recent(CommandContext& ctx, const std::vector<std::string>& queues,
                                     const std::function<std::string(const std::string&)>& key_of, int64_t limit,
                                     int64_t since_ms);

/// The lower time bound of `options` (epoch ms; 0 without --since). Throws CliError(2) for a bad
/// --since or --limit.
int64_t since_bound(const ListOptions& options, int64_t now_ms);

}  // namespace onyx::cli
