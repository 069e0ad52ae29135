// The numbers behind `onyx-background status`: per queue, the original's columns
// (`workers fibers jps ready scheduled processing completed failed`, with `processing` =
// SCARD processing:<q>, the fix of the original's bug) and ours (dead, retries, paused,
// lifetime totals from `<ns>:stats:<q>`). Reading only; rendering is status_command's.
#pragma once

#include "cli/command_context.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace onyx::cli {

/// Counts of one queue. All counts are whole numbers of jobs or attempts.
struct QueueStatus {
    std::string queue;
    int64_t workers = 0;     ///< live workers serving the queue
    int64_t fibers = 0;      ///< their total concurrency (original: fiber connections)
    int64_t jps = 0;         ///< attempts completed in the last second (ZCOUNT completed now-1000 now)
    int64_t ready = 0;       ///< LLEN ready:<q>
    int64_t scheduled = 0;   ///< ZCARD scheduled:<q>
    int64_t processing = 0;  ///< SCARD processing:<q>
    int64_t completed = 0;   ///< ZCARD completed:<q> (attempt records kept)
    int64_t failed = 0;      ///< ZCARD failed:<q> (attempt records kept)
    int64_t dead = 0;        ///< ZCARD dead:<q> (jobs)
    int64_t retries = 0;     ///< ZCARD retry:<q> (jobs waiting for a retry)
    bool paused = false;     ///< SISMEMBER <ns>:paused <q>
    int64_t total_completed = 0; ///< HGET stats:<q> completed (survives purge and trimming)
    int64_t total_failed = 0;    ///< HGET stats:<q> failed
};

/// One snapshot of every shown queue.
struct StatusReport {
    int64_t time_ms = 0;             ///< when it was read (epoch ms)
    std::vector<QueueStatus> queues; ///< in display order
    std::string queue_source;        ///< "flag", "queues-set" or "scan" (queue_discovery.hpp)
    std::string worker_source;       ///< "registry" or "client-list" (worker_census.hpp)
    int64_t workers = 0;             ///< distinct live workers over all queues
    int64_t fibers = 0;              ///< their total concurrency
};

/// Reads a snapshot at ctx.now_ms of the -q queues (`queues_flag`, comma-separated) or every
/// known queue. Throws common::RedisError, config::ConfigError (bad -q).
StatusReport read_status_report(CommandContext& ctx, const std::optional<std::string>& queues_flag);

}  // namespace onyx::cli
