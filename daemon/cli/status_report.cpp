#include "cli/status_report.hpp"

#include "cli/queue_discovery.hpp"
#include "cli/worker_census.hpp"

#include <algorithm>

namespace onyx::cli {
namespace {

using Commands = std::vector<std::vector<std::string>>;

Commands count_commands(const CommandContext& ctx, const std::string& q) {
    const auto& k = ctx.keys;
    return {{"ZCOUNT", k.completed(q), std::to_string(ctx.now_ms - 1000), std::to_string(ctx.now_ms)},
            {"LLEN", k.ready(q)},
            {"ZCARD", k.scheduled(q)},
            {"SCARD", k.processing(q)},
            {"ZCARD", k.completed(q)},
            {"ZCARD", k.failed(q)},
            {"ZCARD", k.dead(q)},
            {"ZCARD", ctx.keys.retry(q)},
            {"SISMEMBER", ctx.keys.paused(), q},
            {"HGET", k.stats(q), "completed"},
            {"HGET", k.stats(q), "failed"}};
}

constexpr size_t kCountsPerQueue = 11;

QueueStatus row_of(const std::string& q, const std::vector<common::Reply>& r, size_t at) {
    QueueStatus s{q};
    int64_t QueueStatus::*fields[] = {&QueueStatus::jps,  &QueueStatus::ready,  &QueueStatus::scheduled,
                                      &QueueStatus::processing, &QueueStatus::completed, &QueueStatus::failed,
                                      &QueueStatus::dead, &QueueStatus::retries};
    for (size_t i = 0; i < std::size(fields); ++i) s.*fields[i] = integer_of(r[at + i]);
    s.paused = integer_of(r[at + 8]) == 1;
    s.total_completed = integer_of(r[at + 9]);
    s.total_failed = integer_of(r[at + 10]);
    return s;
}

void add_workers(StatusReport& report, const std::vector<WorkerInfo>& workers) {
    for (const auto& w : workers) {
        ++report.workers;
        report.fibers += w.concurrency;
        for (auto& row : report.queues) {
            if (std::find(w.queues.begin(), w.queues.end(), row.queue) == w.queues.end()) continue;
            ++row.workers;
            row.fibers += w.concurrency;
        }
    }
}

}  // namespace

StatusReport read_status_report(CommandContext& ctx, const std::optional<std::string>& queues_flag) {
    StatusReport report;
    report.time_ms = ctx.now_ms;
    const QueueList list = discover_queues(ctx, queues_flag);
    report.queue_source = list.source;
    Commands commands;
    for (const auto& q : list.queues) {
        auto more = count_commands(ctx, q);
        commands.insert(commands.end(), more.begin(), more.end());
    }
    const auto replies = ctx.redis.pipeline(commands);
    for (size_t i = 0; i < list.queues.size(); ++i)
        report.queues.push_back(row_of(list.queues[i], replies, i * kCountsPerQueue));
    auto census = take_census(ctx);
    report.worker_source = census.source;
    add_workers(report, census.workers);
    return report;
}

}  // namespace onyx::cli
