// Producer library, over onyx_background_common (plugin-sdk/common): the Redis URL grammar,
// the blocking connection, UUIDs and the checks are the daemon's too, written once there.
#include <onyx_background/client.hpp>

#include <onyx_common/json_check.hpp>
#include <onyx_common/queue_name.hpp>
#include <onyx_common/redis_url.hpp>
#include <onyx_common/sync_connection.hpp>
#include <onyx_common/uuid.hpp>

#include <chrono>
#include <set>
#include <system_error>

namespace onyx_background {
namespace {

constexpr size_t kPipelineBatch = 1000;

int64_t wall_ms_now() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string request_problem(const JobRequest& request) {
    if (request.job_class.empty()) return "job class is empty";
    if (std::string p = queue_name_problem(request.queue); !p.empty()) return p;
    if (std::string p = json_problem(request.args_json); !p.empty()) return "arguments: " + p;
    if (request.retries && *request.retries < 0) return "retries must be 0 or more";
    return {};
}

}  // namespace

std::string queue_name_problem(std::string_view queue) { return onyx::common::queue_name_problem(queue); }

std::string json_problem(std::string_view json) { return onyx::common::json_problem(json); }

std::vector<std::string> new_uuids(size_t count) {
    try {
        return onyx::common::new_uuids(count);
    } catch (const std::system_error& e) {
        throw ClientError(e.what());
    }
}

std::string new_uuid() { return new_uuids(1).front(); }

struct Client::Impl {
    Impl(const ClientOptions& options)
        : keys(options.ns),
          connection(onyx::common::parse_redis_url(options.redis_url), options.timeout_ms) {}

    // The Onyx::Background Manager's sequence: HSET jobs:<id> ..., then RPUSH ready:<q> <id>
    // (or ZADD scheduled:<q> <pat> <id>). Our addition: SADD <ns>:queues <q> once per batch.
    void append_job(std::vector<std::vector<std::string>>& out, const JobRequest& request,
                    const std::string& id, int64_t now_ms) const {
        std::vector<std::string> hset = {"HSET", keys.job(id), "que", request.queue, "cls",
                                         request.job_class, "arg", request.args_json, "qat",
                                         std::to_string(now_ms)};
        if (request.run_at_ms) {
            hset.insert(hset.end(), {"pat", std::to_string(*request.run_at_ms)});
        }
        if (request.retries) hset.insert(hset.end(), {"rty", std::to_string(*request.retries)});
        out.push_back(std::move(hset));
        if (request.run_at_ms && *request.run_at_ms > now_ms) {
            out.push_back({"ZADD", keys.scheduled(request.queue), std::to_string(*request.run_at_ms), id});
        } else {
            out.push_back({"RPUSH", keys.ready(request.queue), id});
        }
    }

    // The commands of requests [start, end): each job's HSET and RPUSH/ZADD, then one SADD of
    // their queues. Appends the new job ids to `ids`.
    std::vector<std::vector<std::string>> batch_commands(const std::vector<JobRequest>& requests, size_t start,
                                                         size_t end, std::vector<std::string>& ids) const {
        std::vector<std::vector<std::string>> commands;
        commands.reserve((end - start) * 2 + 1);
        std::set<std::string> queues;
        const int64_t now_ms = wall_ms_now();
        const auto batch_ids = new_uuids(end - start);
        for (size_t i = start; i < end; ++i) {
            ids.push_back(batch_ids[i - start]);
            append_job(commands, requests[i], ids.back(), now_ms);
            queues.insert(requests[i].queue);
        }
        std::vector<std::string> sadd = {"SADD", keys.queues()};
        sadd.insert(sadd.end(), queues.begin(), queues.end());
        commands.push_back(std::move(sadd));
        return commands;
    }

    // Reads `count` replies; the first error reply becomes a ClientError.
    void check_replies(size_t count) {
        for (const auto& reply : connection.receive(count)) {
            if (reply->type == REDIS_REPLY_ERROR) {
                throw ClientError("Redis at " + connection.where() + " refused a write: " + std::string(reply.text()));
            }
        }
    }

    Keys keys;
    onyx::common::SyncConnection connection;
};

Client::Client(ClientOptions options) {
    try {
        impl_ = std::make_unique<Impl>(options);
    } catch (const std::exception& e) {
        throw ClientError(e.what());
    }
}

Client::~Client() = default;

const Keys& Client::keys() const { return impl_->keys; }

std::string Client::enqueue(const JobRequest& request) {
    return enqueue_many({request}).front();
}

std::vector<std::string> Client::enqueue_many(const std::vector<JobRequest>& requests) {
    for (size_t i = 0; i < requests.size(); ++i) {
        if (std::string problem = request_problem(requests[i]); !problem.empty()) {
            throw ClientError("job " + std::to_string(i + 1) + " (" + requests[i].job_class + "): " + problem);
        }
    }
    std::vector<std::string> ids;
    ids.reserve(requests.size());
    // Batch k+1 is sent before batch k's replies are read, so Redis and this thread overlap.
    size_t unread = 0;
    try {
        for (size_t start = 0; start < requests.size(); start += kPipelineBatch) {
            const size_t end = std::min(requests.size(), start + kPipelineBatch);
            auto commands = impl_->batch_commands(requests, start, end, ids);
            impl_->connection.send(commands);
            if (unread > 0) impl_->check_replies(unread);
            unread = commands.size();
        }
        if (unread > 0) impl_->check_replies(unread);
    } catch (const onyx::common::RedisError& e) {
        throw ClientError(e.what());
    }
    return ids;
}

}  // namespace onyx_background
