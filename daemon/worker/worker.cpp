#include "worker/worker.hpp"

#include "support/log.hpp"
#include "worker/worker_daemon.hpp"

#include <uv.h>

#include <cstdio>
#include <memory>
#include <unistd.h>

namespace onyx::worker {

int run_worker(const config::Config& config, plugins::PluginSet& plugins) {
    config::RedisEndpoint endpoint;
    try {
        endpoint = config::parse_redis_url(config.redis_url);
    } catch (const std::exception& e) {
        ONYX_LOG(error, "[redis] url: {}", e.what());
        return 1;
    }
    uv_loop_t loop;
    uv_loop_init(&loop);
    auto worker = std::make_unique<detail::Worker>(&loop, config, plugins, endpoint);
    worker->start();
    uv_run(&loop, UV_RUN_DEFAULT);
    ONYX_LOG(info, "worker stopped");
    if (worker->handlers_running()) {
        // A handler that ignored cancellation still runs: leave without joining it.
        std::fflush(nullptr);
        _exit(0);
    }
    worker.reset();
    uv_loop_close(&loop);
    return 0;
}

int run_worker_command(const config::Config& config) {
    plugins::PluginSet plugins(config.plugin_directory(), {config.strict_plugins, config.plugin_settings});
    try {
        for (const auto& error : plugins.load()) ONYX_LOG(warn, "skipped (strict_plugins = false): {}", error);
    } catch (const plugins::PluginError& e) {
        ONYX_LOG(error, "{}", e.what());
        return 1;
    }
    return run_worker(config, plugins);
}

}  // namespace onyx::worker
