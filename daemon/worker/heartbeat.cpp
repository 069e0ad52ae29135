#include "worker/heartbeat.hpp"

#include "support/clock.hpp"
#include "support/log.hpp"

#include <onyx_background/keys.hpp>

#include <unistd.h>

namespace onyx::worker {
namespace {

std::string host_name() {
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0) return "unknown";
    return name;
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += ',';
        out += item;
    }
    return out;
}

}  // namespace

std::vector<std::string> heartbeat_arguments(std::string_view script_sha, const WorkerInfo& info,
                                             const WorkerStats& stats, int64_t now_ms) {
    const onyx_background::Keys keys(info.ns);
    return {"EVALSHA", std::string(script_sha), "2", keys.workers(), keys.worker(info.worker_id), info.worker_id,
            std::to_string(now_ms + info.lease_ms),
            // The description outlives the lease a little so a watcher can still read it.
            std::to_string(info.lease_ms * 3),
            "host", host_name(), "pid", std::to_string(getpid()), "queues", join(info.queues),
            "concurrency", std::to_string(info.concurrency), "started", std::to_string(info.started_at_ms),
            "beat", std::to_string(now_ms), "busy", std::to_string(stats.busy), "done", std::to_string(stats.done),
            "state", stats.state, "version", ONYX_VERSION, "run", join(stats.running)};
}

std::vector<std::vector<std::string>> unregister_commands(const WorkerInfo& info) {
    const onyx_background::Keys keys(info.ns);
    return {{"ZREM", keys.workers(), info.worker_id}, {"DEL", keys.worker(info.worker_id)}};
}

void send_heartbeat(redis::AsyncConnection& connection, const WorkerInfo& info, const WorkerStats& stats,
                    support::RepeatedFailure& refused) {
    if (!connection.ready()) return;
    connection.command(heartbeat_arguments(connection.script_sha("heartbeat"), info, stats, support::wall_ms()),
                       [&refused](const redisReply* reply, std::string_view) {
                           if (reply == nullptr) return;  // the link dropped: the connection logs that
                           if (reply->type == REDIS_REPLY_ERROR)
                               support::log_failure(refused, std::string_view(reply->str, reply->len));
                           else
                               support::log_success(refused);
                       });
}

}  // namespace onyx::worker
