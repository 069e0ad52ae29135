// `onyx-background workers [--json]`: every live worker with host, pid, queues,
// busy/concurrency, jobs done, state, start time and heartbeat age. On a Redis where only the
// original workers run, the workers named in CLIENT LIST (worker_census.hpp).
#pragma once

#include "config/config.hpp"

namespace onyx::cli {

/// Prints the live workers as a table (or JSON when `json`). Returns 0 (also when there are
/// none: the table is then only its heading), or 2 when Redis cannot be reached.
int run_workers_command(const config::Config& config, bool json);

}  // namespace onyx::cli
