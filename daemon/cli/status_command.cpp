#include "cli/status_command.hpp"

#include "config/redis_url.hpp"
#include "protocol/client_name.hpp"
#include "redis/sync_connection.hpp"
#include "support/clock.hpp"

#include <onyx_background/keys.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace onyx::cli {
namespace {

using redis::SyncConnection;

struct LiveWorker {
    std::set<std::string> queues;
    int64_t concurrency = 0;
};

std::vector<LiveWorker> live_workers(SyncConnection& redis, const onyx_background::Keys& keys, int64_t now) {
    std::vector<LiveWorker> out;
    auto ids = redis.command({"ZRANGEBYSCORE", keys.workers(), std::to_string(now), "+inf"}).strings();
    for (const auto& id : ids) {
        auto fields = redis.command({"HMGET", keys.worker(id), "queues", "concurrency"}).strings();
        LiveWorker worker;
        std::string list = fields.size() > 0 ? fields[0] : "";
        for (size_t start = 0; start <= list.size() && !list.empty();) {
            size_t comma = list.find(',', start);
            if (comma == std::string::npos) comma = list.size();
            worker.queues.insert(list.substr(start, comma - start));
            start = comma + 1;
        }
        worker.concurrency = fields.size() > 1 && !fields[1].empty() ? std::stoll(fields[1]) : 0;
        out.push_back(std::move(worker));
    }
    return out;
}

int64_t integer_of(const redis::Reply& reply) { return reply->type == REDIS_REPLY_INTEGER ? reply->integer : 0; }

void print_table(const std::vector<QueueStatus>& rows) {
    static const char* kHeads[] = {"queue", "workers", "fibers", "jps", "ready", "scheduled",
                                   "processing", "completed", "failed", "dead"};
    std::vector<std::vector<std::string>> cells;
    for (const auto& r : rows) {
        cells.push_back({r.queue, std::to_string(r.workers), std::to_string(r.fibers), std::to_string(r.jps),
                         std::to_string(r.ready), std::to_string(r.scheduled), std::to_string(r.processing),
                         std::to_string(r.completed), std::to_string(r.failed), std::to_string(r.dead)});
    }
    std::vector<size_t> widths;
    for (size_t c = 0; c < 10; ++c) {
        size_t w = std::string_view(kHeads[c]).size();
        for (const auto& row : cells) w = std::max(w, row[c].size());
        widths.push_back(w);
    }
    std::string line = fmt::format("{:<{}}", kHeads[0], widths[0]);
    for (size_t c = 1; c < 10; ++c) line += fmt::format(" {:>{}}", kHeads[c], widths[c]);
    std::printf("%s\n", line.c_str());
    for (const auto& row : cells) {
        line = fmt::format("{:<{}}", row[0], widths[0]);
        for (size_t c = 1; c < 10; ++c) line += fmt::format(" {:>{}}", row[c], widths[c]);
        std::printf("%s\n", line.c_str());
    }
}

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\') out += fmt::format("\\{}", static_cast<char>(c));
        else if (c < 0x20) out += fmt::format("\\u{:04x}", c);
        else out += static_cast<char>(c);
    }
    return out + "\"";
}

void print_json(const std::vector<QueueStatus>& rows, int64_t now) {
    std::string out = fmt::format("{{\"time_ms\":{},\"queues\":[", now);
    for (size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        out += fmt::format("{}{{\"queue\":{},\"workers\":{},\"fibers\":{},\"jps\":{},\"ready\":{},\"scheduled\":{},"
                           "\"processing\":{},\"completed\":{},\"failed\":{},\"dead\":{}}}",
                           i ? "," : "", json_string(r.queue), r.workers, r.fibers, r.jps, r.ready, r.scheduled,
                           r.processing, r.completed, r.failed, r.dead);
    }
    std::printf("%s]}\n", out.c_str());
}

}  // namespace

std::vector<QueueStatus> read_status(const config::Config& config, const std::vector<std::string>& queues) {
    SyncConnection redis(config::parse_redis_url(config.redis_url), config.connect_timeout_ms,
                         std::string(protocol::kManagerClientName));
    const onyx_background::Keys keys(config.ns);
    const int64_t now = support::wall_ms();
    const auto workers = live_workers(redis, keys, now);
    std::vector<QueueStatus> rows;
    for (const auto& q : queues) {
        auto replies = redis.pipeline({{"ZCOUNT", keys.completed(q), std::to_string(now - 1000), std::to_string(now)},
                                       {"LLEN", keys.ready(q)}, {"ZCARD", keys.scheduled(q)},
                                       {"SCARD", keys.processing(q)}, {"ZCARD", keys.completed(q)},
                                       {"ZCARD", keys.failed(q)}, {"ZCARD", keys.dead(q)}});
        QueueStatus row{q};
        for (const auto& w : workers) {
            if (!w.queues.count(q)) continue;
            ++row.workers;
            row.fibers += w.concurrency;
        }
        row.jps = integer_of(replies[0]);
        row.ready = integer_of(replies[1]);
        row.scheduled = integer_of(replies[2]);
        row.processing = integer_of(replies[3]);
        row.completed = integer_of(replies[4]);
        row.failed = integer_of(replies[5]);
        row.dead = integer_of(replies[6]);
        rows.push_back(std::move(row));
    }
    return rows;
}

int run_status_command(const config::Config& config, const StatusOptions& options) {
    try {
        const int64_t started = support::monotonic_ms();
        std::vector<std::string> queues = config.queues;
        if (!options.queues_given) {
            SyncConnection redis(config::parse_redis_url(config.redis_url), config.connect_timeout_ms);
            queues = redis.command({"SMEMBERS", onyx_background::Keys(config.ns).queues()}).strings();
            std::sort(queues.begin(), queues.end());
        }
        const auto rows = read_status(config, queues);
        if (options.json) print_json(rows, support::wall_ms());
        else print_table(rows);
        if (options.verbose && !options.json) {
            std::printf("\nelapsed %lld ms, redis %s, namespace %s\n",
                        static_cast<long long>(support::monotonic_ms() - started),
                        config::parse_redis_url(config.redis_url).redacted().c_str(), config.ns.c_str());
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "onyx-background status: %s\n", e.what());
        return 2;
    }
}

}  // namespace onyx::cli
