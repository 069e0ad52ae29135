#include "cli/attempt_history.hpp"

#include <algorithm>
#include <set>

namespace onyx::cli {
namespace {

// Bounds the walk so a corrupt `prv` cycle cannot loop forever.
constexpr size_t kMaxChain = 10000;
// Attempt ids read per pipeline in the unlinked scan.
constexpr size_t kScanBatch = 1000;

std::vector<AttemptRecord> follow_chain(CommandContext& ctx, const std::string& latest) {
    std::vector<AttemptRecord> out;
    std::set<std::string> seen;
    std::optional<std::string> next = latest;
    while (next && !next->empty() && out.size() < kMaxChain && seen.insert(*next).second) {
        auto found = read_attempts(ctx, {*next});
        if (found.empty()) break;
        next = found.front().previous;
        out.push_back(std::move(found.front()));
    }
    std::reverse(out.begin(), out.end());
    return out;
}

std::vector<std::string> attempts_in_queue(CommandContext& ctx, const std::string& q) {
    std::vector<std::string> ids = ctx.redis.command({"SMEMBERS", ctx.keys.processing(q)}).strings();
    for (const auto& key : {ctx.keys.failed(q), ctx.keys.completed(q)}) {
        auto more = ctx.redis.command({"ZRANGE", key, "0", "-1"}).strings();
        ids.insert(ids.end(), more.begin(), more.end());
    }
    return ids;
}

std::vector<std::string> ids_of_job(CommandContext& ctx, const std::vector<std::string>& ids, const std::string& job) {
    std::vector<std::string> out;
    for (size_t at = 0; at < ids.size(); at += kScanBatch) {
        std::vector<std::vector<std::string>> commands;
        const size_t end = std::min(ids.size(), at + kScanBatch);
        for (size_t i = at; i < end; ++i) commands.push_back({"HGET", ctx.keys.attempt(ids[i]), "job"});
        auto replies = ctx.redis.pipeline(commands);
        for (size_t i = 0; i < replies.size(); ++i)
            if (replies[i].text() == job) out.push_back(ids[at + i]);
    }
    return out;
}

std::vector<AttemptRecord> scan_queue(CommandContext& ctx, const JobRecord& job) {
    auto attempts = read_attempts(ctx, ids_of_job(ctx, attempts_in_queue(ctx, job.queue), job.id));
    std::stable_sort(attempts.begin(), attempts.end(), [](const AttemptRecord& a, const AttemptRecord& b) {
        return a.started_ms.value_or(0) < b.started_ms.value_or(0);
    });
    return attempts;
}

}  // namespace

std::vector<AttemptRecord> read_attempt_history(CommandContext& ctx, const JobRecord& job) {
    if (job.latest_attempt && !job.latest_attempt->empty()) return follow_chain(ctx, *job.latest_attempt);
    if (job.queue.empty()) return {};
    return scan_queue(ctx, job);
}

}  // namespace onyx::cli
