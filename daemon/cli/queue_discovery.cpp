#include "cli/queue_discovery.hpp"

#include <algorithm>
#include <set>

namespace onyx::cli {
namespace {

std::vector<std::string> sorted(std::set<std::string> names) { return {names.begin(), names.end()}; }

// SCAN of one kind's keys; adds the queue part of every exact match.
void scan_kind(CommandContext& ctx, const std::string& kind, std::set<std::string>& out) {
    const std::string pattern = escape_glob(ctx.keys.ns()) + ":" + kind + ":*";
    std::string cursor = "0";
    do {
        auto reply = ctx.redis.command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
        if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) break;
        const redisReply* page = reply->element[1];
        cursor.assign(reply->element[0]->str, reply->element[0]->len);
        for (size_t i = 0; i < page->elements; ++i) {
            auto queue = queue_of_key({page->element[i]->str, page->element[i]->len}, ctx.keys.ns());
            if (queue) out.insert(*queue);
        }
    } while (cursor != "0");
}

}  // namespace

const std::vector<std::string>& queue_key_kinds() {
    static const std::vector<std::string> kinds = {"ready",  "scheduled", "processing", "completed",
                                                   "failed", "dead",      "retry",      "stats"};
    return kinds;
}

std::optional<std::string> queue_of_key(std::string_view key, std::string_view ns) {
    for (const auto& kind : queue_key_kinds()) {
        const std::string prefix = std::string(ns) + ":" + kind + ":";
        if (key.size() > prefix.size() && key.substr(0, prefix.size()) == prefix)
            return std::string(key.substr(prefix.size()));
    }
    return std::nullopt;
}

std::string escape_glob(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

QueueList discover_queues(CommandContext& ctx, const std::optional<std::string>& flag) {
    if (flag) return {config::parse_queue_list(*flag, "--queue"), "flag"};
    auto members = ctx.redis.command({"SMEMBERS", ctx.keys.queues()}).strings();
    // A paused queue is listed even before anyone used it, so `status` shows the pause.
    auto paused = ctx.redis.command({"SMEMBERS", ctx.keys.paused()}).strings();
    if (!members.empty()) {
        std::set<std::string> names(members.begin(), members.end());
        names.insert(paused.begin(), paused.end());
        return {sorted(std::move(names)), "queues-set"};
    }
    std::set<std::string> found(paused.begin(), paused.end());
    for (const auto& kind : queue_key_kinds()) scan_kind(ctx, kind, found);
    return {sorted(std::move(found)), "scan"};
}

}  // namespace onyx::cli
