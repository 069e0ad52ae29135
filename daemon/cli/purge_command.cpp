#include "cli/purge_command.hpp"

#include "cli/command_context.hpp"
#include "cli/queue_discovery.hpp"
#include "cli/table.hpp"
#include "protocol/scripts.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace onyx::cli {
namespace {

constexpr int kBatch = 1000;

// Purges one record set of queue `q` (`kind`: completed, failed or dead) in batches of kBatch
// (protocol/lua/purge.lua, which removes what each record takes with it, as the watcher's trim).
int64_t purge_set(CommandContext& ctx, const std::string& q, const std::string& set, const char* kind, int64_t cutoff) {
    int64_t total = 0;
    for (;;) {
        auto reply = ctx.redis.command({"EVAL", std::string(protocol::kPurgeScript.source), "2", set, ctx.keys.latest(q),
                                        ctx.keys.ns(), kind, std::to_string(cutoff), std::to_string(kBatch)});
        total += integer_of(reply);
        if (integer_of(reply) < kBatch) return total;
    }
}

std::vector<Cell> purge_queue(CommandContext& ctx, const std::string& q, const PurgeRequest& r, int64_t cutoff) {
    const bool all = !r.completed && !r.failed && !r.dead;
    auto count = [](bool wanted, int64_t n) { return Cell(wanted ? std::to_string(n) : "-"); };
    const int64_t completed = all || r.completed ? purge_set(ctx, q, ctx.keys.completed(q), "completed", cutoff) : 0;
    const int64_t failed = all || r.failed ? purge_set(ctx, q, ctx.keys.failed(q), "failed", cutoff) : 0;
    const int64_t dead = all || r.dead ? purge_set(ctx, q, ctx.keys.dead(q), "dead", cutoff) : 0;
    return {q, count(all || r.completed, completed), count(all || r.failed, failed), count(all || r.dead, dead)};
}

int64_t cutoff_of(const std::string& text, int64_t now) {
    try {
        return now - config::parse_duration_ms(text);
    } catch (const std::exception& e) {
        throw CliError(kExitUsage, fmt::format("purge '{}': {} (give an age such as 7d, 12h, 30m)", text, e.what()));
    }
}

}  // namespace

int run_purge_command(const config::Config& config, const PurgeRequest& request) {
    return run_guarded("purge", [&]() -> int {
        CommandContext ctx(config);
        const int64_t cutoff = cutoff_of(request.older_than, ctx.now_ms);
        Table table({{"queue"}, {"completed", true}, {"failed", true}, {"dead", true}});
        for (const auto& q : discover_queues(ctx, request.queues).queues) table.add_row(purge_queue(ctx, q, request, cutoff));
        print_out(table.render(colour_wanted()));
        return kExitOk;
    });
}

}  // namespace onyx::cli
