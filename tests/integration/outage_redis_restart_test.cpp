// Redis restart under load (issue 3, "done when" 4), against a real redis-server with
// appendonly on and the real binary: while a worker runs 3,000 jobs (Noops and short Naps), Redis
// is stopped (SIGTERM, AOF written) and started again on the same port and dir about 3 s later.
// - While Redis is down neither the worker nor the watcher spins: each uses < 10% of one core
//   (utime + stime from /proc/<pid>/stat; a generous bound only a busy loop breaks).
// - The same worker process reconnects by itself and finishes the work: every job has exactly
//   one completed attempt; nothing is left in ready, processing or reserved lists; no attempt
//   failed as "Worker Timeout" or any other way (a claim whose reply Redis never sent before
//   shutting down is adopted after the reconnect, not handed back as "Claim Lost"), although
//   the watcher ran a recovery pass after the lease of a worker silent since the restart would
//   have ended.
// The lease is 4 s, above the 1.6-3.2 s reconnect delay a 3 s outage leads to (docs: reconnect
// backoff doubles from 100 ms, jitter 50-100%).
#include "support/onyx_daemon.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/queue_state.hpp"
#include "support/redis_client.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

#include <onyx_background/client.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace onyx::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kNs = "restart";
constexpr int64_t kLeaseMs = 4000;
constexpr size_t kJobs = 3000;

std::string key(std::string_view kind, std::string_view id = "default") { return ns_key(kNs, kind, id); }

std::string write_config(const TempDir& dir, const RedisServer& server) {
    return write_onyx_config(dir, server, kNs,
                             "[worker]\nconcurrency = 8\nshutdown_timeout = 5s\nheartbeat_interval = 250ms\n"
                             "lease = 4s\nplugins = " + std::string(paths::example_plugin_dir) +
                                 "\n[watcher]\ninterval = 100ms\n[log]\nlevel = info\n");
}

TEST(OutageRedisRestart, WorkerResumesLosesNothingFailsNoLiveJobAsStaleAndDoesNotSpinWhileRedisIsDown) {
    RedisServer server(RedisServerOptions{.appendonly = true});
    TempDir dir;
    const auto config = write_config(dir, server);
    RedisClient redis(server.port());
    Process watcher = start_onyx("watcher", config);
    Process worker = start_onyx("worker", config);
    const std::string wid = wait_worker_registered(redis, kNs, worker);

    std::vector<onyx_background::JobRequest> requests(kJobs, {"Jobs::Noop"});
    for (size_t i = 0; i < kJobs; i += 10) {
        requests[i].job_class = "Jobs::Nap";
        requests[i].args_json = R"({"sleep": )" + std::to_string(0.05 + 0.05 * static_cast<double>(i % 4)) + "}";
    }
    std::vector<std::string> ids;
    {
        onyx_background::Client producer({server.url(), kNs});
        ids = producer.enqueue_many(requests);
    }
    wait_until([&] { return redis.integer({"ZCARD", key("completed")}) >= 300; }, 20s, "300 jobs to complete");

    server.stop();
    const auto down_at = Clock::now();
    const double worker_cpu_before = cpu_seconds(worker.pid());
    const double watcher_cpu_before = cpu_seconds(watcher.pid());
    std::this_thread::sleep_for(3s);  // the measurement window: Redis stays down this long
    const double worker_cpu = cpu_seconds(worker.pid()) - worker_cpu_before;
    const double watcher_cpu = cpu_seconds(watcher.pid()) - watcher_cpu_before;
    const double window = std::chrono::duration<double>(Clock::now() - down_at).count();
    EXPECT_LT(worker_cpu / window, 0.10) << "the worker used " << worker_cpu << " s of CPU in " << window
                                         << " s without Redis:\n" << worker.stderr_text();
    EXPECT_LT(watcher_cpu / window, 0.10) << "the watcher used " << watcher_cpu << " s of CPU in " << window
                                          << " s without Redis:\n" << watcher.stderr_text();
    ASSERT_TRUE(worker.is_running()) << worker.stderr_text();
    ASSERT_TRUE(watcher.is_running()) << watcher.stderr_text();

    server.start();
    redis.reconnect();
    const int64_t restarted_ms = wall_ms();
    ASSERT_LT(redis.integer({"ZCARD", key("completed")}), static_cast<long long>(kJobs))
        << "all work was done before the restart: the test proves nothing";

    // A stand-in worker whose lease ends after that of a worker silent since the restart:
    // once the watcher has recovered it, it has judged our worker too.
    const std::string probe = "probe-worker";
    redis.command({"ZADD", std::string(kNs) + ":workers", std::to_string(restarted_ms + kLeaseMs + 100), probe});
    const bool settled = try_wait_until(
        [&] {
            return !redis.optional_string({"ZSCORE", std::string(kNs) + ":workers", probe}).has_value() &&
                   redis.integer({"ZCARD", key("completed")}) >= static_cast<long long>(kJobs) &&
                   redis.integer({"SCARD", key("processing")}) == 0 && redis.integer({"LLEN", key("ready")}) == 0 &&
                   redis.strings({"KEYS", key("reserved", "*")}).empty();
        },
        40s);
    ASSERT_TRUE(settled) << timeout_message(40s, "every job to complete after the restart and a recovery pass") << ": "
                         << queue_leftovers(redis, kNs) << "\nworker stderr:\n" << worker.stderr_text();

    // A claim Redis ran just before it shut down may never have been answered: the worker
    // adopts its attempts when it reconnects, so no attempt at all failed.
    EXPECT_TRUE(each_completed_once(redis, kNs, ids));
    EXPECT_NE(redis.optional_string({"ZSCORE", std::string(kNs) + ":workers", wid}), std::nullopt)
        << "the live worker was unregistered";

    EXPECT_EQ(worker.terminate(10s), exited_with(0)) << worker.stderr_text();
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
}

}  // namespace
}  // namespace onyx::test
