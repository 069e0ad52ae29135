#include "cli/worker_census.hpp"

#include "cli/client_list.hpp"

#include <onyx_common/redis_url.hpp>

namespace onyx::cli {
namespace {

constexpr const char* kFields[] = {"host", "pid", "queues", "concurrency", "started",
                                   "beat", "busy", "done",   "state",       "version"};

std::optional<int64_t> number(const std::string& text) { return parse_integer(text); }

WorkerInfo registry_worker(const std::string& id, int64_t lease, const std::vector<std::string>& f) {
    WorkerInfo w;
    w.id = id;
    w.host = f[0];
    w.pid = number(f[1]);
    w.queues = split_queue_list(f[2]);
    w.concurrency = number(f[3]).value_or(0);
    w.started_ms = number(f[4]);
    w.beat_ms = number(f[5]);
    w.busy = number(f[6]);
    w.done = number(f[7]);
    w.state = f[8].empty() ? "running" : f[8];
    w.version = f[9];
    w.lease_ms = lease;
    return w;
}

std::vector<WorkerInfo> read_registry(CommandContext& ctx) {
    auto reply = ctx.redis.command(
        {"ZRANGEBYSCORE", ctx.keys.workers(), "(" + std::to_string(ctx.now_ms), "+inf", "WITHSCORES"});
    const auto flat = reply.strings();
    std::vector<std::vector<std::string>> commands;
    for (size_t i = 0; i + 1 < flat.size(); i += 2) {
        std::vector<std::string> argv = {"HMGET", ctx.keys.worker(flat[i])};
        argv.insert(argv.end(), std::begin(kFields), std::end(kFields));
        commands.push_back(std::move(argv));
    }
    auto replies = ctx.redis.pipeline(commands);
    std::vector<WorkerInfo> out;
    for (size_t i = 0; i < replies.size(); ++i) {
        auto fields = replies[i].strings();
        fields.resize(std::size(kFields));
        out.push_back(registry_worker(flat[2 * i], parse_integer(flat[2 * i + 1]).value_or(0), fields));
    }
    return out;
}

std::vector<WorkerInfo> read_client_list(CommandContext& ctx) {
    const auto text = std::string(ctx.redis.command({"CLIENT", "LIST"}).text());
    std::vector<WorkerInfo> out;
    const int64_t db = common::parse_redis_url(ctx.config.redis_url).db;
    for (const auto& c : client_workers(parse_client_list(text), db)) {
        WorkerInfo w;
        w.id = "client:" + std::to_string(c.client_id);
        w.host = c.addr;
        w.queues = c.queues;
        w.concurrency = c.fibers;
        w.started_ms = ctx.now_ms - c.age_s * 1000;
        w.state = "original";
        out.push_back(std::move(w));
    }
    return out;
}

}  // namespace

std::vector<std::string> split_queue_list(const std::string& list) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= list.size()) {
        const size_t comma = std::min(list.find(',', start), list.size());
        if (comma > start) out.push_back(list.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

WorkerCensus take_census(CommandContext& ctx) {
    auto registry = read_registry(ctx);
    if (!registry.empty()) return {std::move(registry), "registry"};
    return {read_client_list(ctx), "client-list"};
}

}  // namespace onyx::cli
