#include "cli/pause_command.hpp"

#include "cli/command_context.hpp"
#include "cli/printable_text.hpp"
#include "cli/terminal.hpp"

#include <fmt/format.h>

namespace onyx::cli {

namespace {

// Every queue named, each argument possibly a comma-separated list ("a,b" pauses both).
std::vector<std::string> all_queues(const std::vector<std::string>& positional, const std::optional<std::string>& flag) {
    std::vector<std::string> queues;
    for (const auto& arg : positional)
        for (auto& q : config::parse_queue_list(arg, "queue")) queues.push_back(q);
    if (flag)
        for (auto& q : config::parse_queue_list(*flag, "--queue")) queues.push_back(q);
    return queues;
}

}  // namespace

int run_pause_command(const config::Config& config, const std::vector<std::string>& positional,
                      const std::optional<std::string>& queue_flag, bool pause) {
    return run_guarded(pause ? "pause" : "resume", [&]() -> int {
        const auto queues = all_queues(positional, queue_flag);
        if (queues.empty()) throw CliError(kExitUsage, "give the queue to " + std::string(pause ? "pause" : "resume"));
        CommandContext ctx(config);
        for (const auto& q : queues) {
            const int64_t changed = integer_of(ctx.redis.command({pause ? "SADD" : "SREM", ctx.keys.paused(), q}));
            const char* what = pause ? (changed ? "paused" : "already paused") : (changed ? "resumed" : "was not paused");
            print_out(fmt::format("queue {}: {}\n", escape_for_terminal(q), what));
            // A typo pauses nothing anyone uses: say so, but keep the pause (a queue may be
            // paused before its first worker starts).
            if (pause && integer_of(ctx.redis.command({"SISMEMBER", ctx.keys.queues(), q})) == 0)
                fmt::print(stderr, "onyx-background pause: warning: no worker or producer has used queue {} (it is not in {})\n",
                           escape_for_terminal(q), escape_for_terminal(ctx.keys.queues()));
        }
        return kExitOk;
    });
}

}  // namespace onyx::cli
