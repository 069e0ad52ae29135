#include "cli/purge_command.hpp"

#include "cli/command_context.hpp"
#include "cli/queue_discovery.hpp"
#include "cli/table.hpp"
#include "protocol/scripts.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace onyx::cli {
namespace {

// Purge one batch of one sorted set. ARGV: ns, set key, hash kind ("attempts" or "jobs"),
// cutoff ms, batch, set name, queue. Removes members scored at or before the cutoff from the
// set and what each takes with it (protocol::kForgetRecordsLua, as the watcher's trim) in one
// step, so no reader finds an entry whose hash is half gone: a completed attempt that is its
// job's latest also deletes the finished job's hash. Returns the number of members removed.
constexpr const char* kPurgeBatchBody = R"lua(
local ns, set, kind, cutoff, batch = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local latest_key = ns .. ':latest:' .. ARGV[7]
local ids = redis.call('ZRANGEBYSCORE', set, '-inf', cutoff, 'LIMIT', 0, batch)
for _, id in ipairs(ids) do
  if kind == 'attempts' then
    forget_attempt(ns, latest_key, id, ARGV[6] == 'completed')
  else
    forget_dead_job(ns, latest_key, id)
  end
  redis.call('ZREM', set, id)
end
return #ids
)lua";

constexpr int kBatch = 1000;

int64_t purge_set(CommandContext& ctx, const std::string& q, const std::string& set, const char* kind, const char* tag,
                  int64_t cutoff) {
    int64_t total = 0;
    for (;;) {
        static const std::string script = std::string(protocol::kForgetRecordsLua) + kPurgeBatchBody;
        auto reply = ctx.redis.command({"EVAL", script, "0", ctx.keys.ns(), set, kind,
                                        std::to_string(cutoff), std::to_string(kBatch), tag, q});
        total += integer_of(reply);
        if (integer_of(reply) < kBatch) return total;
    }
}

std::vector<Cell> purge_queue(CommandContext& ctx, const std::string& q, const PurgeRequest& r, int64_t cutoff) {
    const bool all = !r.completed && !r.failed && !r.dead;
    auto count = [](bool wanted, int64_t n) { return Cell(wanted ? std::to_string(n) : "-"); };
    const int64_t completed = all || r.completed ? purge_set(ctx, q, ctx.keys.completed(q), "attempts", "completed", cutoff) : 0;
    const int64_t failed = all || r.failed ? purge_set(ctx, q, ctx.keys.failed(q), "attempts", "failed", cutoff) : 0;
    const int64_t dead = all || r.dead ? purge_set(ctx, q, ctx.keys.dead(q), "jobs", "dead", cutoff) : 0;
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
