#include "cli/dequeue_command.hpp"

#include "cli/command_context.hpp"
#include "cli/job_records.hpp"
#include "cli/printable_text.hpp"
#include "cli/terminal.hpp"

#include <fmt/format.h>

namespace onyx::cli {
namespace {

// Dequeue one job. ARGV: ns, job id. One script, so a worker's claim (itself one script or a
// BLMOVE) happens wholly before or wholly after it: either the id is still in ready/scheduled/
// retry and is removed here, or a worker has it and nothing is touched. The job hash is
// deleted only when the id was removed. Returns {code, queue, where}: 0 = no job hash,
// 1 = removed from `where`, 2 = not waiting anywhere (claimed, finished or dead), 3 = the job
// key holds another type (given in place of the queue); nothing is touched then.
constexpr const char* kDequeueScript = R"lua(
local ns, id = ARGV[1], ARGV[2]
local job = ns .. ':jobs:' .. id
local kind = redis.call('TYPE', job).ok
if kind ~= 'hash' and kind ~= 'none' then return {3, kind, ''} end
local q = redis.call('HGET', job, 'que')
if not q then return {0, '', ''} end
local where = ''
if redis.call('LREM', ns .. ':ready:' .. q, 0, id) > 0 then where = 'ready'
elseif redis.call('ZREM', ns .. ':scheduled:' .. q, id) == 1 then where = 'scheduled'
elseif redis.call('ZREM', ns .. ':retry:' .. q, id) == 1 then where = 'retry'
else return {2, q, ''} end
redis.call('DEL', job)
redis.call('HDEL', ns .. ':latest:' .. q, id)
return {1, q, where}
)lua";

// Why a job that exists is not waiting: claimed (its latest attempt runs), or its state.
std::string not_waiting_reason(CommandContext& ctx, const std::string& id, const std::string& q) {
    if (ctx.redis.command({"ZSCORE", ctx.keys.dead(q), id})->type == REDIS_REPLY_STRING)
        return "is dead (use `retry` or `purge`)";
    const auto job = read_job(ctx, id);
    const std::string latest = job && job->latest_attempt ? *job->latest_attempt : std::string();
    if (!latest.empty() && integer_of(ctx.redis.command({"SISMEMBER", ctx.keys.processing(q), latest})) == 1)
        return fmt::format("already claimed by a worker (attempt {})", latest);
    return "already claimed by a worker, or finished: it is not in ready, scheduled or retry";
}

}  // namespace

int run_dequeue_command(const config::Config& config, const std::string& job_id) {
    return run_guarded("dequeue", [&]() -> int {
        CommandContext ctx(config);
        auto reply = ctx.redis.command({"EVAL", kDequeueScript, "0", ctx.keys.ns(), job_id});
        const std::string queue = element_text(reply, 1);
        switch (element_integer(reply, 0)) {
        case 0: throw CliError(kExitNotFound, fmt::format("job {} not found", job_id));
        case 3: throw NotAJobHash(ctx.keys.job(job_id), queue);
        case 2: throw CliError(kExitNotFound, fmt::format("job {} (queue {}) {}", job_id, queue,
                                                          not_waiting_reason(ctx, job_id, queue)));
        default: break;
        }
        print_out(fmt::format("job {}: removed from {}:{} and deleted\n", escape_for_terminal(job_id),
                              element_text(reply, 2), escape_for_terminal(queue)));
        return kExitOk;
    });
}

}  // namespace onyx::cli
