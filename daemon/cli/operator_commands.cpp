#include "cli/operator_commands.hpp"

#include "cli/common_options.hpp"
#include "cli/dead_command.hpp"
#include "cli/dequeue_command.hpp"
#include "cli/failed_command.hpp"
#include "cli/job_command.hpp"
#include "cli/pause_command.hpp"
#include "cli/purge_command.hpp"
#include "cli/retry_command.hpp"
#include "cli/status_command.hpp"
#include "cli/workers_command.hpp"
#include "config/config.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace onyx::cli {
namespace {

// The shared flags plus one command's own options, kept alive by the callback that owns them.
template <typename Options>
struct Bound {
    CommonFlags flags;
    Options options;
};

// The config as flag > environment > file > default, or exit 2 with the reason.
config::Config load_or_exit(const CommonFlags& flags) {
    try {
        return resolve_config(flags);
    } catch (const config::ConfigError& e) {
        std::fprintf(stderr, "onyx-background: config: %s\n", e.what());
        std::exit(2);  // kExitUsage
    }
}

template <typename Options>
std::shared_ptr<Bound<Options>> subcommand(CLI::App& app, const char* name, const char* help, CLI::App*& out) {
    auto bound = std::make_shared<Bound<Options>>();
    out = app.add_subcommand(name, help);
    add_common_flags(*out, bound->flags);
    return bound;
}

void add_status(CLI::App& app) {
    CLI::App* cmd = nullptr;
    auto b = subcommand<StatusOptions>(app, "status", "per-queue counts, workers and totals", cmd);
    cmd->add_flag("--json", b->options.json, "print JSON");
    cmd->add_flag("-v,--verbose", b->options.verbose, "add a footer: elapsed time, URL, namespace, queues");
    cmd->add_option("--watch", b->options.watch_s, "refresh every SECONDS (default 2) until Ctrl-C")
        ->expected(0, 1)->default_str("2")->type_name("[SECONDS]");
    cmd->callback([b] {
        b->options.queues = b->flags.queues;
        std::exit(run_status_command(load_or_exit(b->flags), b->options));
    });
}

void add_workers(CLI::App& app) {
    CLI::App* cmd = nullptr;
    auto b = subcommand<bool>(app, "workers", "live workers: host, pid, queues, busy, done, heartbeat", cmd);
    cmd->add_flag("--json", b->options, "print JSON");
    cmd->callback([b] { std::exit(run_workers_command(load_or_exit(b->flags), b->options)); });
}

struct JobOptions {
    std::string id;
    bool json = false;
};

void add_job(CLI::App& app) {
    CLI::App* cmd = nullptr;
    auto b = subcommand<JobOptions>(app, "job", "one job: its fields, state and every attempt", cmd);
    cmd->add_option("id", b->options.id, "job id")->required();
    cmd->add_flag("--json", b->options.json, "print JSON");
    cmd->callback([b] { std::exit(run_job_command(load_or_exit(b->flags), b->options.id, b->options.json)); });
}

void add_list(CLI::App& app, const char* name, const char* help, int (*run)(const config::Config&, const ListOptions&)) {
    CLI::App* cmd = nullptr;
    auto b = subcommand<ListOptions>(app, name, help, cmd);
    cmd->add_option("--limit", b->options.limit, "at most N rows (default 20)")->type_name("N");
    cmd->add_option("--since", b->options.since, "only the last DURATION (30m, 12h, 7d)")->type_name("DURATION");
    cmd->add_flag("--json", b->options.json, "print JSON");
    cmd->callback([b, run] {
        b->options.queues = b->flags.queues;
        std::exit(run(load_or_exit(b->flags), b->options));
    });
}

void add_retry(CLI::App& app) {
    CLI::App* cmd = nullptr;
    auto b = subcommand<RetryRequest>(app, "retry", "run a dead or retry-waiting job again now (or --all -q Q)", cmd);
    cmd->add_option("id", b->options.job_id, "job id");
    cmd->add_flag("--all", b->options.all, "every dead job of the -q queues");
    cmd->callback([b] {
        b->options.queues = b->flags.queues;
        std::exit(run_retry_command(load_or_exit(b->flags), b->options));
    });
}

void add_dequeue(CLI::App& app) {
    CLI::App* cmd = nullptr;
    auto b = subcommand<std::string>(app, "dequeue", "remove a job that has not started yet", cmd);
    cmd->add_option("id", b->options, "job id")->required();
    cmd->callback([b] { std::exit(run_dequeue_command(load_or_exit(b->flags), b->options)); });
}

void add_purge(CLI::App& app) {
    CLI::App* cmd = nullptr;
    auto b = subcommand<PurgeRequest>(app, "purge", "delete completed/failed attempts and dead jobs older than DURATION", cmd);
    cmd->add_option("older_than", b->options.older_than, "age, e.g. 7d, 12h, 30m")->required();
    cmd->add_flag("--completed", b->options.completed, "only completed attempts");
    cmd->add_flag("--failed", b->options.failed, "only failed attempts");
    cmd->add_flag("--dead", b->options.dead, "only dead jobs");
    cmd->callback([b] {
        b->options.queues = b->flags.queues;
        std::exit(run_purge_command(load_or_exit(b->flags), b->options));
    });
}

void add_pause(CLI::App& app, const char* name, const char* help, bool pause) {
    CLI::App* cmd = nullptr;
    auto b = subcommand<std::vector<std::string>>(app, name, help, cmd);
    cmd->add_option("queue", b->options, "queue name(s)");
    cmd->callback([b, pause] {
        const auto queue_flag = b->flags.queues;
        b->flags.queues.reset();  // queues to pause, not the config's worker list
        std::exit(run_pause_command(load_or_exit(b->flags), b->options, queue_flag, pause));
    });
}

}  // namespace

void add_operator_commands(CLI::App& app) {
    add_status(app);
    add_workers(app);
    add_job(app);
    add_list(app, "failed", "recent failed attempts: class, error, message, job id", run_failed_command);
    add_list(app, "dead", "jobs that exhausted their retries", run_dead_command);
    add_retry(app);
    add_dequeue(app);
    add_purge(app);
    add_pause(app, "pause", "stop workers claiming from a queue", true);
    add_pause(app, "resume", "let workers claim from a paused queue again", false);
}

}  // namespace onyx::cli
