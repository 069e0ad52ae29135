// `onyx-background purge DURATION [-q Q] [--completed] [--failed] [--dead]`: deletes records
// older than DURATION: completed and failed attempts (set entry and attempt hash) and dead
// jobs (set entry and job hash). The `<ns>:stats:<q>` counters stay, so totals survive.
#pragma once

#include "config/config.hpp"

#include <optional>
#include <string>

namespace onyx::cli {

/// What to purge. With none of the three kinds set, all three are purged.
struct PurgeRequest {
    std::string older_than;             ///< DURATION ("7d", "12h", "30m")
    std::optional<std::string> queues;  ///< -q text; nullopt = every known queue
    bool completed = false;             ///< --completed
    bool failed = false;                ///< --failed
    bool dead = false;                  ///< --dead
};

/// Purges and prints a table of what was removed per queue. Returns 0, or 2 for a bad
/// DURATION or an unreachable Redis.
int run_purge_command(const config::Config& config, const PurgeRequest& request);

}  // namespace onyx::cli
