#include "cli/retry_command.hpp"

#include "cli/command_context.hpp"
#include "cli/job_records.hpp"
#include "cli/printable_text.hpp"
#include "cli/terminal.hpp"

#include <fmt/format.h>

namespace onyx::cli {
namespace {

// Retry one job. ARGV: ns, job id. Atomic: the job leaves dead:<q> or retry:<q> and enters
// ready:<q> in one step. Returns {code, queue, from}: code 0 = no job hash, 1 = moved,
// 2 = the job is neither dead nor waiting for a retry, 3 = the job key holds another type
// (given in place of the queue).
constexpr const char* kRetryOneScript = R"lua(
local ns, id = ARGV[1], ARGV[2]
local job = ns .. ':jobs:' .. id
local kind = redis.call('TYPE', job).ok
if kind ~= 'hash' and kind ~= 'none' then return {3, kind, ''} end
local q = redis.call('HGET', job, 'que')
if not q then return {0, '', ''} end
if redis.call('ZREM', ns .. ':dead:' .. q, id) == 1 then
  redis.call('HSET', job, 'fal', 0)
  redis.call('HDEL', job, 'ded', 'unc')
  redis.call('RPUSH', ns .. ':ready:' .. q, id)
  return {1, q, 'dead'}
end
if redis.call('ZREM', ns .. ':retry:' .. q, id) == 1 then
  redis.call('RPUSH', ns .. ':ready:' .. q, id)
  return {1, q, 'retry'}
end
return {2, q, ''}
)lua";

// Retry up to `batch` dead jobs of one queue, oldest death first. ARGV: ns, queue, batch.
// Ids without a job hash leave the dead set but are not pushed (a worker could only fail
// them as JobNotFound). Returns {moved, dropped, remaining}.
constexpr const char* kRetryDeadBatchScript = R"lua(
local ns, q, batch = ARGV[1], ARGV[2], tonumber(ARGV[3])
local dead = ns .. ':dead:' .. q
local ids = redis.call('ZRANGE', dead, 0, batch - 1)
local moved, dropped = 0, 0
for _, id in ipairs(ids) do
  redis.call('ZREM', dead, id)
  local job = ns .. ':jobs:' .. id
  if redis.call('TYPE', job).ok == 'hash' then
    redis.call('HSET', job, 'fal', 0)
    redis.call('HDEL', job, 'ded', 'unc')
    redis.call('RPUSH', ns .. ':ready:' .. q, id)
    moved = moved + 1
  else
    dropped = dropped + 1
  end
end
return {moved, dropped, redis.call('ZCARD', dead)}
)lua";

constexpr int kBatch = 500;

int retry_one(CommandContext& ctx, const std::string& id) {
    auto reply = ctx.redis.command({"EVAL", kRetryOneScript, "0", ctx.keys.ns(), id});
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
        auto reply = ctx.redis.command({"EVAL", kRetryDeadBatchScript, "0", ctx.keys.ns(), q, std::to_string(kBatch)});
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
