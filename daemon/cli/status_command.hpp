// `onyx-background status`: the original's per-queue table (`workers fibers jps ready
// scheduled processing completed failed`, right-aligned, `processing` = SCARD as the fix of
// the original's bug) followed by our columns (`dead`).
#pragma once

#include "config/config.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace onyx::cli {

/// Counts of one queue. Rates per second; counts are whole numbers.
struct QueueStatus {
    std::string queue;
    int64_t workers = 0;     ///< live workers (registry lease not expired) serving the queue
    int64_t fibers = 0;      ///< their total concurrency
    int64_t jps = 0;         ///< attempts completed in the last second
    int64_t ready = 0, scheduled = 0, processing = 0, completed = 0, failed = 0, dead = 0;
};

/// Options of the status command.
struct StatusOptions {
    bool json = false;       ///< print JSON instead of the table
    bool verbose = false;    ///< add the footer (elapsed, URL, namespace)
    bool queues_given = false; ///< config.queues came from -q; else every known queue
};

/// Reads the counts of `queues` from Redis. Throws redis::RedisError when Redis cannot be reached.
std::vector<QueueStatus> read_status(const config::Config& config, const std::vector<std::string>& queues);

/// Prints the table (or JSON) for the queues of `config` (every known queue unless
/// options.queues_given). Returns 0, or 2 with one line naming the URL (password hidden) and the
/// reason when Redis cannot be reached.
int run_status_command(const config::Config& config, const StatusOptions& options);

}  // namespace onyx::cli
