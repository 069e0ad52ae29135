#include "cli/enqueue_command.hpp"

#include "protocol/time_text.hpp"
#include "support/clock.hpp"

#include <onyx_background/client.hpp>

#include <fmt/format.h>

#include <cstdio>

namespace onyx::cli {
namespace {

// The run time asked for, or nullopt for "now"; throws std::invalid_argument naming the flag.
std::optional<int64_t> run_at(const EnqueueRequest& request) {
    if (request.in && request.at) throw std::invalid_argument("--in and --at exclude each other");
    if (request.in) {
        try {
            return support::wall_ms() + config::parse_duration_ms(*request.in);
        } catch (const std::exception& e) {
            throw std::invalid_argument(fmt::format("--in '{}': {}", *request.in, e.what()));
        }
    }
    if (request.at) {
        auto ms = protocol::parse_time_ms(*request.at);
        if (!ms) {
            throw std::invalid_argument(fmt::format(
                "--at '{}': not a time; use ISO 8601 UTC like 2026-12-01T10:00:00Z or epoch ms", *request.at));
        }
        return ms;
    }
    return std::nullopt;
}

std::string single_queue(const EnqueueRequest& request) {
    if (!request.queue) return "default";
    auto queues = config::parse_queue_list(*request.queue, "--queue");
    if (queues.size() != 1) throw std::invalid_argument("--queue: enqueue takes one queue, not a list");
    return queues.front();
}

}  // namespace

int run_enqueue_command(const config::Config& config, const EnqueueRequest& request) {
    try {
        if (request.count < 1) throw std::invalid_argument("--count must be 1 or more");
        onyx_background::JobRequest job{request.job_class, request.args_json, single_queue(request),
                                        run_at(request), request.retries};
        onyx_background::Client client({config.redis_url, config.ns, config.command_timeout_ms});
        std::vector<onyx_background::JobRequest> jobs(static_cast<size_t>(request.count), job);
        for (const auto& id : client.enqueue_many(jobs)) std::printf("%s\n", id.c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "onyx-background enqueue: %s\n", e.what());
        return 2;
    }
}

}  // namespace onyx::cli
