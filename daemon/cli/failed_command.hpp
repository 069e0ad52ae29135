// `onyx-background failed [-q Q] [--limit N] [--since DURATION] [--json]`: the newest failed
// attempts (`<ns>:failed:<q>`), with when, queue, job id, job class, error class and message.
#pragma once

#include "cli/recent_entries.hpp"
#include "config/config.hpp"

namespace onyx::cli {

/// Prints the failed attempts, newest first. Returns 0 (also when there are none), 2 for a
/// bad option or an unreachable Redis.
int run_failed_command(const config::Config& config, const ListOptions& options);

}  // namespace onyx::cli
