// The loop thread of a daemon that talks to Redis (worker, watcher): the configured endpoint
// and the libuv loop that will own every connection, timer and signal of the daemon.
#pragma once

#include "config/config.hpp"

#include <onyx_common/redis_url.hpp>

#include <uv.h>

#include <functional>

namespace onyx::redis {

/// Builds the daemon on `loop`, connected to `endpoint`, runs the loop until the daemon stops
/// and destroys the daemon before it returns. It may also end the process itself (_exit).
using DaemonBody = std::function<void(uv_loop_t* loop, const common::RedisEndpoint& endpoint)>;

/// Parses config.redis_url, initialises a libuv loop, calls `body` with both and closes the
/// loop. Returns the exit code: 0 after `body` returned; 1 without calling `body` when the URL
/// does not parse, after one ERROR line "[redis] url: <reason>" (the reason never shows the
/// password). Exceptions from `body` propagate (the loop is then left open). Blocks the
/// calling thread, which becomes the loop thread.
int run_daemon_loop(const config::Config& config, const DaemonBody& body);

}  // namespace onyx::redis
