// `onyx-background worker`: the event-loop daemon. The libuv loop thread owns every Redis
// connection, timer and signal; handlers run on the executor pool.
//
// Lifecycle (never backwards): starting -> running -> [quiet] -> stopping -> stopped.
//   SIGTERM / SIGINT: stop claiming, let running jobs finish until shutdown_timeout, hand the
//   rest back (attempt failed with err "Shutdown", job back at the head of ready), exit 0.
//   A second SIGINT exits at once. SIGTSTP / SIGUSR1: quiet (stop claiming, keep running).
//   SIGHUP: rescan the plugin directory; jobs in flight finish on the code they started with.
#pragma once

#include "config/config.hpp"
#include "plugins/plugin_set.hpp"

namespace onyx::worker {

/// Runs the worker with the plugins of `plugins` (already loaded) until it is told to stop.
/// Returns the process exit code: 0 after a clean shutdown, 1 when it could not start (bad
/// Redis URL). Blocks the calling thread, which becomes the loop thread. Redis being down is
/// not an error: the worker waits and retries.
int run_worker(const config::Config& config, plugins::PluginSet& plugins);

/// `onyx-background worker`: loads the plugin directory of `config` (a broken file is fatal
/// when strict_plugins, else logged and skipped), then run_worker. Returns the exit code
/// (1 for a plugin that stops the start, with one ERROR line naming the file).
int run_worker_command(const config::Config& config);

}  // namespace onyx::worker
