// The adaptive prefetch at the shipped defaults (prefetch 1000, adaptive_prefetch true), seen
// from Redis: claimed attempts are in processing:<q> from the claim on, so SCARD of that set is
// what the worker holds. Slow jobs (0.5 s at concurrency 2: 4 finishes a second) are never
// claimed beyond the free executor slots, so no other worker is kept from them; a backlog of
// no-op jobs makes the same worker hold hundreds at once, so each claim carries many jobs.
#include "support/onyx_daemon.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/redis_client.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

#include <onyx_background/client.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace onyx::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kNs = "adaptive";

// The largest SCARD of processing:default seen, sampling every 5 ms until `done` holds.
long long max_processing_until(RedisClient& redis, const std::function<bool()>& done,
                               std::chrono::milliseconds deadline) {
    long long most = 0;
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
        if (std::chrono::steady_clock::now() > end) throw std::runtime_error("the jobs did not complete in time");
        most = std::max(most, redis.integer({"SCARD", ns_key(kNs, "processing")}));
        std::this_thread::sleep_for(5ms);
    }
    return most;
}

TEST(AdaptivePrefetch, SlowJobsAreNotPrefetchedAndABacklogOfShortOnesIs) {
    RedisServer server;
    TempDir dir;
    RedisClient redis(server.port());
    const auto config = write_onyx_config(
        dir, server, kNs, "[worker]\nconcurrency = 2\nplugins = " + std::string(paths::example_plugin_dir) + "\n");
    Process worker = start_onyx("worker", config);
    wait_worker_registered(redis, kNs, worker);
    onyx_background::Client producer({server.url(), kNs});
    auto completed = [&] { return redis.integer({"ZCARD", ns_key(kNs, "completed")}); };

    producer.enqueue_many(std::vector<onyx_background::JobRequest>(8, {"Jobs::Nap", R"({"sleep": 0.5})"}));
    const long long slow_most = max_processing_until(redis, [&] { return completed() == 8; }, 20s);
    // processing also holds an attempt that finished while the previous finish call was in
    // flight, until its own call: one more than the executors at most. A fixed prefetch would
    // claim all 8 at once.
    EXPECT_LE(slow_most, 3) << "slow jobs were claimed beyond the 2 executors";

    producer.enqueue_many(std::vector<onyx_background::JobRequest>(40'000, {"Jobs::Noop"}));
    const long long short_most = max_processing_until(redis, [&] { return completed() == 8 + 40'000; }, 60s);
    EXPECT_GT(short_most, 100) << "the worker never prefetched under a backlog of no-op jobs";

    EXPECT_EQ(worker.terminate(10s), exited_with(0)) << worker.stderr_text();
}

}  // namespace
}  // namespace onyx::test
