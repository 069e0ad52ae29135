// onyx-background: subcommands -> entry points. Nothing else lives here.
#include "cli/common_options.hpp"
#include "cli/enqueue_command.hpp"
#include "cli/plugins_command.hpp"
#include "cli/operator_commands.hpp"
#include "config/config.hpp"
#include "plugins/plugin_registry.hpp"
#include "support/log.hpp"
#include "watcher/watcher.hpp"
#include "worker/worker.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>

namespace {

using onyx::cli::CommonFlags;

// Every subcommand: the config as flag > environment > file > default, or exit 2.
onyx::config::Config load(const CommonFlags& flags) {
    try {
        auto config = onyx::cli::resolve_config(flags);
        onyx::support::set_log_level(config.log_level);
        return config;
    } catch (const onyx::config::ConfigError& e) {
        std::fprintf(stderr, "onyx-background: config: %s\n", e.what());
        std::exit(2);
    }
}

onyx::plugins::LoadOptions plugin_options(const onyx::config::Config& config) {
    return {config.strict_plugins, config.plugin_settings};
}


int run_worker(const CommonFlags& flags) {
    return onyx::worker::run_worker_command(load(flags));
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"onyx-background: a crash-safe background-job daemon for the Onyx::Background Redis protocol"};
    app.require_subcommand(1);
    app.set_version_flag("--version", ONYX_VERSION);

    CommonFlags worker_flags;
    auto* worker = app.add_subcommand("worker", "run jobs from the ready queues with the plugins' handlers");
    onyx::cli::add_common_flags(*worker, worker_flags);
    onyx::cli::add_worker_flags(*worker, worker_flags);
    worker->callback([&] { std::exit(run_worker(worker_flags)); });

    CommonFlags watcher_flags;
    auto* watcher = app.add_subcommand("watcher", "recover dead workers' jobs and promote due scheduled jobs");
    onyx::cli::add_common_flags(*watcher, watcher_flags);
    watcher->callback([&] { std::exit(onyx::watcher::run_watcher(load(watcher_flags))); });

    CommonFlags enqueue_flags;
    onyx::cli::EnqueueRequest request;
    auto* enqueue = app.add_subcommand("enqueue", "enqueue a job and print its id");
    onyx::cli::add_common_flags(*enqueue, enqueue_flags);
    enqueue->get_option("--queue")->description("the one queue to enqueue into (default: default; not [worker] queues)")->type_name("Q");
    enqueue->add_option("class", request.job_class, "job class, e.g. Jobs::Nap")->required();
    enqueue->add_option("args", request.args_json, "arguments as JSON text (default {})");
    enqueue->add_option("--in", request.in, "run after DURATION (500ms, 30s, 5m, 1h, 1d)");
    enqueue->add_option("--at", request.at, "run at TIME (2026-12-01T10:00:00Z or epoch ms)");
    enqueue->add_option("--retries", request.retries, "retry limit of this job");
    enqueue->add_option("--count", request.count, "enqueue N copies (default 1)");
    enqueue->callback([&] {
        request.queue = enqueue_flags.queues;
        enqueue_flags.queues.reset();  // one queue here, not the worker's list
        std::exit(onyx::cli::run_enqueue_command(load(enqueue_flags), request));
    });

    CommonFlags plugin_flags;
    bool plugins_json = false;
    auto* plugins = app.add_subcommand("plugins", "list every job class with its plugin file");
    onyx::cli::add_common_flags(*plugins, plugin_flags);
    onyx::cli::add_worker_flags(*plugins, plugin_flags);
    plugins->add_flag("--json", plugins_json, "print JSON");
    plugins->callback([&] {
        const auto config = load(plugin_flags);
        std::exit(onyx::cli::run_plugins_command(config.plugin_directory(), plugin_options(config), plugins_json));
    });

    onyx::cli::add_operator_commands(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    return 0;
}
