#include "cli/recent_entries.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace onyx::cli {

std::vector<RecentEntry> read_recent(CommandContext& ctx, const std::vector<std::string>& queues,
                                     const std::function<std::string(const std::string&)>& key_of, int64_t limit,
                                     int64_t since_ms) {
    std::vector<std::vector<std::string>> commands;
    for (const auto& q : queues)
        commands.push_back({"ZREVRANGEBYSCORE", key_of(q), "+inf", std::to_string(since_ms), "WITHSCORES", "LIMIT",
                            "0", std::to_string(limit)});
    auto replies = ctx.redis.pipeline(commands);
    std::vector<RecentEntry> out;
    for (size_t i = 0; i < replies.size(); ++i) {
        const auto flat = replies[i].strings();
        for (size_t j = 0; j + 1 < flat.size(); j += 2)
            out.push_back({queues[i], flat[j], parse_integer(flat[j + 1]).value_or(0)});
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const RecentEntry& a, const RecentEntry& b) { return a.score_ms > b.score_ms; });
    if (out.size() > static_cast<size_t>(limit)) out.resize(static_cast<size_t>(limit));
    return out;
}

int64_t since_bound(const ListOptions& options, int64_t now_ms) {
    if (options.limit < 1 || options.limit > 100000)
        throw CliError(kExitUsage, fmt::format("--limit {}: give a number from 1 to 100000", options.limit));
    if (!options.since) return 0;
    try {
        return now_ms - config::parse_duration_ms(*options.since);
    } catch (const std::exception& e) {
        throw CliError(kExitUsage, fmt::format("--since '{}': {}", *options.since, e.what()));
    }
}

}  // namespace onyx::cli
