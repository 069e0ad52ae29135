#include "cli/dequeue_command.hpp"

#include "cli/command_context.hpp"
#include "cli/job_records.hpp"
#include "cli/printable_text.hpp"
#include "cli/terminal.hpp"
#include "protocol/scripts.hpp"

#include <fmt/format.h>

namespace onyx::cli {
namespace {

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
        // One script (protocol/lua/dequeue.lua), so a claim happens wholly before or after it.
        auto reply = ctx.redis.command({"EVAL", std::string(protocol::kDequeueScript.source), "1", ctx.keys.job(job_id),
                                        ctx.keys.ns(), job_id});
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
