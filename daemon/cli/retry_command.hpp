// `onyx-background retry ID` and `onyx-background retry --all -q Q`: a dead job, or a job
// waiting in `<ns>:retry:<q>`, goes back to the tail of `ready:<q>` at once. A dead job starts
// over (`fal` = 0, `ded` removed); a job waiting for a retry keeps its count. Each move is one
// Lua script, so a worker or watcher never sees the job in two places or in none.
#pragma once

#include "config/config.hpp"

#include <optional>
#include <string>

namespace onyx::cli {

/// What to retry: one job id, or (`all`) every dead job of the -q queues.
struct RetryRequest {
    std::optional<std::string> job_id;
    bool all = false;
    std::optional<std::string> queues;  ///< -q text; required with --all
};

/// Runs the retry and prints what moved. Returns 0; 1 when the job does not exist or is
/// neither dead nor waiting for a retry; 2 for bad arguments or an unreachable Redis.
int run_retry_command(const config::Config& config, const RetryRequest& request);

}  // namespace onyx::cli
