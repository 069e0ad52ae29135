#include "cli/retry_command.hpp"

#include "cli/command_context.hpp"
#include "cli/job_records.hpp"
#include "cli/printable_text.hpp"
#include "cli/terminal.hpp"
#include "protocol/scripts.hpp"

#include <fmt/format.h>

namespace onyx::cli {
namespace {

constexpr int kBatch = 500;

int retry_one(CommandContext& ctx, const std::string& id) {
    auto reply = ctx.redis.command({"EVAL", std::string(protocol::kRetryJobScript.source), "1", ctx.keys.job(id),
                                    ctx.keys.ns(), id});
    const int64_t code = element_integer(reply, 0);
    const std::string queue = element_text(reply, 1);
    if (code == 0) throw CliError(kExitNotFound, fmt::format("job {} not found", id));
    if (code == 3) throw NotAJobHash(ctx.keys.job(id), queue);
    if (code == 2)
        throw CliError(kExitNotFound,
                       fmt::format("job {} (queue {}) is neither dead nor waiting for a retry", id, queue));
    const bool was_dead = element_text(reply, 2) == "dead";
    print_out(fmt::format("job {}: {} -> ready:{}{}\n", escape_for_terminal(id), was_dead ? "dead" : "retry",
                          escape_for_terminal(queue), was_dead ? " (failures reset to 0)" : ""));
    return kExitOk;
}

void retry_queue(CommandContext& ctx, const std::string& q) {
    int64_t moved = 0, dropped = 0, remaining = 1;
    while (remaining > 0) {
        auto reply = ctx.redis.command({"EVAL", std::string(protocol::kRetryDeadScript.source), "2", ctx.keys.dead(q),
                                        ctx.keys.ready(q), ctx.keys.ns(), std::to_string(kBatch)});
        moved += element_integer(reply, 0);
        dropped += element_integer(reply, 1);
        remaining = element_integer(reply, 2);
        if (element_integer(reply, 0) + element_integer(reply, 1) == 0) break;
    }
    std::string line = fmt::format("queue {}: {} dead jobs -> ready", escape_for_terminal(q), moved);
    if (dropped > 0) line += fmt::format(", {} without a job hash dropped", dropped);
    print_out(line + "\n");
}

int retry_all(CommandContext& ctx, const RetryRequest& request) {
    if (!request.queues) throw CliError(kExitUsage, "--all needs -q QUEUE (the queues whose dead jobs to retry)");
    for (const auto& q : config::parse_queue_list(*request.queues, "--queue")) retry_queue(ctx, q);
    return kExitOk;
}

}  // namespace

int run_retry_command(const config::Config& config, const RetryRequest& request) {
    return run_guarded("retry", [&]() -> int {
        if (request.all == request.job_id.has_value())
            throw CliError(kExitUsage, "give either a job ID or --all -q QUEUE");
        CommandContext ctx(config);
        return request.all ? retry_all(ctx, request) : retry_one(ctx, *request.job_id);
    });
}

}  // namespace onyx::cli
