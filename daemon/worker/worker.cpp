#include "worker/worker.hpp"

#include "config/config_table.hpp"
#include "redis/daemon_loop.hpp"
#include "support/log.hpp"
#include "worker/worker_daemon.hpp"

#include <uv.h>

#include <cstdio>
#include <memory>
#include <unistd.h>

namespace onyx::worker {

int run_worker(const config::Config& config, plugins::PluginSet& plugins) {
    return redis::run_daemon_loop(config, [&](uv_loop_t* loop, const common::RedisEndpoint& endpoint) {
        auto worker = std::make_unique<detail::Worker>(loop, config, plugins, endpoint);
        worker->start();
        uv_run(loop, UV_RUN_DEFAULT);
        ONYX_LOG(info, "worker stopped");
        if (worker->handlers_running()) {
            // A handler that ignored cancellation still runs: leave without joining it.
            std::fflush(nullptr);
            _exit(0);
        }
    });
}

int run_worker_command(const config::Config& config) {
    for (const auto& warning : config::unused_key_warnings(config, config::kUsedByWorker)) ONYX_LOG(warn, "{}", warning);
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
