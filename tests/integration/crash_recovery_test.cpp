// Crash recovery of one worker (issue 3, "done when" 5), against a real redis-server and the
// real binary: a worker SIGKILLed while it runs Jobs::Nap attempts is found dead by a watcher
// once its lease has run out (not before, and not much later: lease + watcher interval +
// slack); each of its attempts is failed with err "Worker Timeout" and no fin/tim, each job runs
// again and completes on another worker, and the dead worker leaves <ns>:workers and its
// <ns>:worker:<wid> hash. And the limit a stale attempt obeys.
#include "support/onyx_daemon.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/redis_client.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

#include <onyx_background/client.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace onyx::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kLease = 2000ms;
constexpr auto kHeartbeat = 250ms;
constexpr auto kWatcherInterval = 100ms;
constexpr const char* kNs = "crashrec";

std::string write_config(const TempDir& dir, const RedisServer& server,
                         const std::string& plugin_dir = std::string(paths::example_plugin_dir)) {
    return write_onyx_config(dir, server, kNs,
                             "[worker]\nconcurrency = 4\nshutdown_timeout = 5s\nheartbeat_interval = 250ms\n"
                             "lease = 2s\nplugins = " + plugin_dir +
                                 "\n[watcher]\ninterval = 100ms\n[queue.default]\nbackoff_base = 0\nbackoff_cap = 0\n"
                                 "backoff_jitter = 0\n[log]\nlevel = info\n");
}

// A real redis-server, the config above and the keys of queue `default`.
class CrashRecovery : public ::testing::Test {
protected:
    RedisServer server;
    TempDir dir;
    const std::string config = write_config(dir, server);
    RedisClient redis{server.port()};
    const std::string processing = std::string(kNs) + ":processing:default";
    const std::string failed = std::string(kNs) + ":failed:default";
    const std::string completed = std::string(kNs) + ":completed:default";
};

TEST_F(CrashRecovery, KilledWorkersNapsAreFailedAsWorkerTimeoutAfterTheLeaseAndRunOnAnotherWorker) {
    Process watcher = start_onyx("watcher", config);
    Process a = start_onyx("worker", config);
    const std::string wid_a = wait_worker_registered(redis, kNs, a);

    onyx_background::Client producer({server.url(), kNs});
    std::vector<onyx_background::JobRequest> naps(4, {"Jobs::Nap", R"({"sleep": 2})"});
    const auto ids = producer.enqueue_many(naps);
    const std::set<std::string> job_ids(ids.begin(), ids.end());

    wait_until([&] { return list_attempts(redis, kNs, processing).size() == 4; }, 10s,
               "worker A to run the 4 naps (4 attempts in " + processing + ")");
    const auto running = list_attempts(redis, kNs, processing);
    for (const auto& attempt : running) EXPECT_EQ(attempt.wid, wid_a) << "attempt " << attempt.id;

    ASSERT_EQ(a.kill9(), killed_by(SIGKILL));
    const auto killed_at = Clock::now();
    Process b = start_onyx("worker", config);
    const std::string wid_b = wait_worker_registered(redis, kNs, b);
    ASSERT_NE(wid_a, wid_b);

    // Recovery: after the lease ran out (measured from a beat no older than one interval
    // before the kill), within lease + watcher interval + slack of the kill.
    const auto recovery_deadline = std::chrono::duration_cast<std::chrono::milliseconds>(kLease + kWatcherInterval + 1500ms);
    wait_until([&] { return list_attempts(redis, kNs, failed).size() >= 4; }, recovery_deadline,
               "the watcher to fail the dead worker's 4 attempts in " + failed);
    const auto recovered_after = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed_at);
    EXPECT_GE(recovered_after, kLease / 2) << "the dead worker was judged long before its lease ran out";

    std::map<std::string, int> attempts_per_job;
    const auto failures = list_attempts(redis, kNs, failed);
    ASSERT_EQ(failures.size(), 4u);
    std::set<std::string> failed_ids;
    for (const auto& attempt : failures) {
        failed_ids.insert(attempt.id);
        ++attempts_per_job[attempt.job];
        EXPECT_EQ(attempt.err, "Worker Timeout") << "attempt " << attempt.id;
        EXPECT_EQ(attempt.wid, wid_a) << "attempt " << attempt.id;
        EXPECT_FALSE(attempt.has_fin()) << "a stale attempt has no fin: " << attempt.id;
        EXPECT_FALSE(attempt.has_tim()) << "a stale attempt has no tim: " << attempt.id;
        EXPECT_TRUE(job_ids.count(attempt.job)) << "attempt " << attempt.id << " of unknown job " << attempt.job;
    }
    for (const auto& attempt : running) EXPECT_TRUE(failed_ids.count(attempt.id)) << "attempt " << attempt.id;

    EXPECT_EQ(redis.optional_string({"ZSCORE", std::string(kNs) + ":workers", wid_a}), std::nullopt)
        << "the dead worker is still registered";
    EXPECT_EQ(redis.integer({"EXISTS", std::string(kNs) + ":worker:" + wid_a}), 0);
    EXPECT_NE(redis.optional_string({"ZSCORE", std::string(kNs) + ":workers", wid_b}), std::nullopt)
        << "the live worker was unregistered";

    wait_until([&] { return list_attempts(redis, kNs, completed).size() >= 4; }, 15s,
               "worker B to complete the 4 recovered naps in " + completed);
    for (const auto& attempt : list_attempts(redis, kNs, completed)) {
        ++attempts_per_job[attempt.job];
        EXPECT_EQ(attempt.wid, wid_b) << "completed attempt " << attempt.id;
        EXPECT_TRUE(attempt.has_fin() && attempt.has_tim()) << "completed attempt " << attempt.id;
        EXPECT_EQ(attempt.err, "") << "completed attempt " << attempt.id;
    }
    for (const auto& id : job_ids) EXPECT_EQ(attempts_per_job[id], 2) << "job " << id;
    EXPECT_EQ(attempts_per_job.size(), job_ids.size());
    EXPECT_EQ(redis.integer({"SCARD", processing}), 0);
    EXPECT_EQ(redis.integer({"LLEN", std::string(kNs) + ":ready:default"}), 0);
    EXPECT_EQ(redis.integer({"EXISTS", std::string(kNs) + ":reserved:" + wid_a + ":default"}), 0);

    EXPECT_EQ(b.terminate(10s), exited_with(0)) << b.stderr_text();
    EXPECT_TRUE(watcher.is_running()) << watcher.stderr_text();
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
}

// A worker frozen (SIGSTOP) past its lease is judged dead: the watcher fails its attempt as
// "Worker Timeout" and puts the job back. When the worker thaws, the handler returns, and that
// stale attempt must not be recorded as completed too, nor counted, nor get a fin (protocol.md,
// "Finish": the finish script records only attempts still in processing). The job then runs
// again, on the same worker, and completes exactly once.
TEST_F(CrashRecovery, AWorkerFrozenPastItsLeaseDoesNotRecordItsStaleAttemptAsCompleted) {
    Process watcher = start_onyx("watcher", config);
    Process a = start_onyx("worker", config);
    wait_worker_registered(redis, kNs, a);
    onyx_background::Client producer({server.url(), kNs});
    const std::string job = producer.enqueue({"Jobs::Nap", R"({"sleep": 1})"});
    wait_until([&] { return list_attempts(redis, kNs, processing).size() == 1; }, 10s, "the nap to start");
    const std::string stale = list_attempts(redis, kNs, processing).front().id;

    a.send_signal(SIGSTOP);
    const auto recovery_deadline = std::chrono::duration_cast<std::chrono::milliseconds>(kLease + kWatcherInterval + 1500ms);
    wait_until([&] { return redis.optional_string({"ZSCORE", failed, stale}).has_value(); }, recovery_deadline,
               "the watcher to fail the frozen worker's attempt");
    a.send_signal(SIGCONT);

    wait_until([&] { return redis.integer({"ZCARD", completed}) >= 1; }, 15s, "the job to complete after the thaw");
    // Give a wrong late record of the stale attempt time to land.
    std::this_thread::sleep_for(1s);
    const auto done = redis.strings({"ZRANGE", completed, "0", "-1"});
    ASSERT_EQ(done.size(), 1u) << "the job completed more than once";
    EXPECT_NE(done.front(), stale) << "the stale attempt was recorded as completed";
    EXPECT_EQ(redis.optional_string({"HGET", std::string(kNs) + ":attempts:" + done.front(), "job"}), job);
    const auto stale_hash = redis.hgetall(std::string(kNs) + ":attempts:" + stale);
    EXPECT_EQ(stale_hash.count("err") ? stale_hash.at("err") : "", "Worker Timeout");
    EXPECT_TRUE(redis.optional_string({"ZSCORE", failed, stale}).has_value()) << "the stale attempt left failed";
    EXPECT_FALSE(stale_hash.count("fin")) << "the stale attempt got a fin";
    EXPECT_EQ(redis.optional_string({"HGET", std::string(kNs) + ":stats:default", "completed"}), "1");
    EXPECT_EQ(a.terminate(10s), exited_with(0)) << a.stderr_text();
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
}

// The watcher loads no plugins, yet a stale attempt obeys the limit a worker applies: the job's
// `rty`, else its class's (Fixtures::NapNoRetry never retries; workers publish it in
// <ns>:class_retries), else the queue's (25 here). A killed worker's attempt of a job without
// `rty` is its last: the job goes to the dead set. One with `rty` 1 runs again.
TEST_F(CrashRecovery, AStaleAttemptObeysItsClassRetryLimitAndTheJobsOwnBeatsIt) {
    const std::string handlers_config = write_config(dir, server, std::string(paths::fixture_plugin_dir) + "/handlers");
    Process watcher = start_onyx("watcher", handlers_config);
    Process a = start_onyx("worker", handlers_config);
    const std::string wid_a = wait_worker_registered(redis, kNs, a);
    EXPECT_EQ(redis.optional_string({"HGET", std::string(kNs) + ":class_retries", "Fixtures::NapNoRetry"}), "0");

    onyx_background::Client producer({server.url(), kNs});
    const std::string last = producer.enqueue({"Fixtures::NapNoRetry", R"({"sleep": 30})"});
    onyx_background::JobRequest own_limit{"Fixtures::NapNoRetry", R"({"sleep": 3})"};
    own_limit.retries = 1;
    const std::string again = producer.enqueue(own_limit);
    wait_until([&] { return list_attempts(redis, kNs, processing).size() == 2; }, 10s, "both naps to start");
    ASSERT_EQ(a.kill9(), killed_by(SIGKILL));

    const std::string dead = std::string(kNs) + ":dead:default";
    wait_until([&] { return list_attempts(redis, kNs, failed).size() == 2; }, 15s,
               "the watcher to fail the killed worker's 2 attempts");
    EXPECT_TRUE(redis.optional_string({"ZSCORE", dead, last}).has_value())
        << "a job whose class never retries was put back by the recovery";
    EXPECT_EQ(redis.optional_string({"HGET", std::string(kNs) + ":jobs:" + last, "fal"}), "1");
    EXPECT_TRUE(redis.optional_string({"HGET", std::string(kNs) + ":jobs:" + last, "ded"}).has_value());
    EXPECT_FALSE(redis.optional_string({"ZSCORE", dead, again}).has_value()) << "the job's own rty was ignored";

    Process b = start_onyx("worker", handlers_config);
    wait_until([&] { return redis.integer({"ZCARD", completed}) == 1; }, 15s, "the job with rty 1 to run again");
    const auto done = list_attempts(redis, kNs, completed);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done.front().job, again);
    EXPECT_EQ(redis.integer({"LLEN", std::string(kNs) + ":ready:default"}), 0) << "the dead job was queued again";
    EXPECT_EQ(b.terminate(10s), exited_with(0)) << b.stderr_text();
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
}

}  // namespace
}  // namespace onyx::test
