// `onyx-background dead [-q Q] [--limit N] [--since DURATION] [--json]`: the jobs that
// exhausted their retries (`<ns>:dead:<q>`), newest death first, with class, failed
// attempts and the last error.
#pragma once

#include "cli/recent_entries.hpp"
#include "config/config.hpp"

namespace onyx::cli {

/// Prints the dead jobs. Returns 0 (also when there are none), 2 for a bad option or an
/// unreachable Redis.
int run_dead_command(const config::Config& config, const ListOptions& options);

}  // namespace onyx::cli
