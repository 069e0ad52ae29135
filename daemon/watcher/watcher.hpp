// `onyx-background watcher`: recovers the jobs of dead workers and promotes due scheduled jobs.
// Every step is one Lua script that moves only what it removed, so any number of watchers may
// run on the same queues (docs/protocol.md, "Recovery", "Promotion").
#pragma once

#include "config/config.hpp"

namespace onyx::watcher {

/// Runs the watcher until SIGTERM or SIGINT. Returns the exit code: 0 after a signal, 1 when
/// it cannot start (bad Redis URL). Blocks the calling thread, which becomes the loop thread.
/// Redis being down is not an error: the watcher waits and retries with backoff.
int run_watcher(const config::Config& config);

}  // namespace onyx::watcher
