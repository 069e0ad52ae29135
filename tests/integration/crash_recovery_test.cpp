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
                         const std::string& plugin_dir = std::string(paths::example_plugin_dir),
                         const std::string& worker_lines = "concurrency = 4\nheartbeat_interval = 250ms\nlease = 2s\n") {
    return write_onyx_config(dir, server, kNs,
                             "[worker]\nshutdown_timeout = 5s\n" + worker_lines + "plugins = " + plugin_dir +
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
    std::vector<std::string> running_ids;
    for (const auto& attempt : running) running_ids.push_back(attempt.id);
    // Killed before a beat said they run, the naps would go back uncounted (Worker Lost).
    wait_beat_lists_running(redis, kNs, wid_a, running_ids);

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
    const std::string wid_a = wait_worker_registered(redis, kNs, a);
    onyx_background::Client producer({server.url(), kNs});
    const std::string job = producer.enqueue({"Jobs::Nap", R"({"sleep": 1})"});
    wait_until([&] { return list_attempts(redis, kNs, processing).size() == 1; }, 10s, "the nap to start");
    const std::string stale = list_attempts(redis, kNs, processing).front().id;
    wait_beat_lists_running(redis, kNs, wid_a, {stale});

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
    std::vector<std::string> running_ids;
    for (const auto& attempt : list_attempts(redis, kNs, processing)) running_ids.push_back(attempt.id);
    wait_beat_lists_running(redis, kNs, wid_a, running_ids);
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

// The user trial's defect: with prefetch, a worker holds attempts that wait for an executor. A
// SIGKILL must cost only the attempt that ran (its heartbeat listed it in `run`): it is counted
// (Worker Timeout, fal 1, dead: Fixtures::NapNoRetry never retries); the 4 prefetched ones go
// back to the head of ready uncounted (Worker Lost, no fal) and complete on another worker.
TEST_F(CrashRecovery, PrefetchedAttemptsOfAKilledWorkerGoBackUncountedAndOnlyTheRunningOneIsCharged) {
    const std::string handlers_config = write_config(dir, server, std::string(paths::fixture_plugin_dir) + "/handlers",
                                                     "concurrency = 1\nprefetch = 4\nadaptive_prefetch = false\nheartbeat_interval = 250ms\nlease = 2s\n");
    onyx_background::Client producer({server.url(), kNs});
    // Queued before the worker starts, so that its first claim takes all 5.
    const auto ids = producer.enqueue_many(std::vector<onyx_background::JobRequest>(5, {"Fixtures::NapNoRetry", R"({"sleep": 3})"}));
    Process watcher = start_onyx("watcher", handlers_config);
    Process a = start_onyx("worker", handlers_config);
    const std::string wid_a = wait_worker_registered(redis, kNs, a);
    wait_until([&] { return list_attempts(redis, kNs, processing, wid_a).size() == 5; }, 10s,
               "worker A to claim the 5 naps (1 running, 4 prefetched)");
    const std::string worker_key = std::string(kNs) + ":worker:" + wid_a;
    std::string ran;
    wait_until([&] { return !(ran = redis.optional_string({"HGET", worker_key, "run"}).value_or("")).empty(); }, 10s,
               "a heartbeat of worker A to list its running nap in " + worker_key + " run");
    ASSERT_EQ(a.kill9(), killed_by(SIGKILL));
    ASSERT_EQ(ran.find(','), std::string::npos) << "concurrency 1 ran more than one nap: " << ran;

    wait_until([&] { return list_attempts(redis, kNs, failed).size() == 5; }, 15s,
               "the watcher to recover the killed worker's 5 attempts");
    std::string ran_job;
    std::set<std::string> put_back;
    for (const auto& attempt : list_attempts(redis, kNs, failed)) {
        EXPECT_EQ(attempt.err, attempt.id == ran ? "Worker Timeout" : "Worker Lost") << "attempt " << attempt.id;
        EXPECT_FALSE(attempt.has_fin()) << "attempt " << attempt.id;
        if (attempt.id == ran) ran_job = attempt.job;
        else put_back.insert(attempt.job);
    }
    ASSERT_FALSE(ran_job.empty()) << "the running attempt " << ran << " was not recovered";
    const std::string dead = std::string(kNs) + ":dead:default";
    EXPECT_EQ(redis.strings({"ZRANGE", dead, "0", "-1"}), std::vector<std::string>{ran_job});
    EXPECT_EQ(redis.optional_string({"HGET", std::string(kNs) + ":jobs:" + ran_job, "fal"}), "1");
    EXPECT_EQ(put_back.size(), 4u);
    const auto ready = redis.strings({"LRANGE", std::string(kNs) + ":ready:default", "0", "-1"});
    EXPECT_EQ(std::set<std::string>(ready.begin(), ready.end()), put_back);
    EXPECT_EQ(redis.optional_string({"HGET", std::string(kNs) + ":stats:default", "failed"}), "1")
        << "only the running attempt counts as a failure";

    Process b = start_onyx("worker", handlers_config);
    wait_until([&] { return redis.integer({"ZCARD", completed}) == 4; }, 30s, "worker B to complete the 4 put-back naps");
    for (const auto& attempt : list_attempts(redis, kNs, completed)) EXPECT_TRUE(put_back.count(attempt.job)) << attempt.job;
    for (const auto& id : put_back) {
        const auto job = redis.hgetall(std::string(kNs) + ":jobs:" + id);
        EXPECT_EQ(job.count("fal") ? job.at("fal") : "0", "0") << "job " << id;
    }
    EXPECT_EQ(redis.integer({"ZCARD", dead}), 1);
    EXPECT_EQ(b.terminate(10s), exited_with(0)) << b.stderr_text();
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
}

// A job that kills its worker before a beat lists it running is put back uncounted once
// (Worker Lost, `unc` 1), and counted from its second time on (Worker Timeout, fal 1: dead, as
// Fixtures::NapNoRetry never retries), so a poison pill cannot crash workers for ever. The
// 3.5 s heartbeat leaves seconds between the beat before the first claim (run empty) and the
// next one; the test checks that no beat listed the nap before each kill.
TEST_F(CrashRecovery, AJobKillingItsWorkerBeforeABeatIsPutBackUncountedOnceThenCounted) {
    const std::string handlers_config = write_config(dir, server, std::string(paths::fixture_plugin_dir) + "/handlers",
                                                     "concurrency = 1\nheartbeat_interval = 3500ms\nlease = 4s\n");
    onyx_background::Client producer({server.url(), kNs});
    const std::string job = producer.enqueue({"Fixtures::NapNoRetry", R"({"sleep": 30})"});
    const std::string job_key = std::string(kNs) + ":jobs:" + job;
    Process watcher = start_onyx("watcher", handlers_config);
    const char* expected[] = {"Worker Lost", "Worker Timeout"};
    for (int round = 0; round < 2; ++round) {
        Process worker = start_onyx("worker", handlers_config);
        const std::string wid = wait_worker_registered(redis, kNs, worker);
        wait_until([&] { return list_attempts(redis, kNs, processing, wid).size() == 1; }, 10s, "the nap to start");
        const std::string aid = list_attempts(redis, kNs, processing, wid).front().id;
        ASSERT_EQ(worker.kill9(), killed_by(SIGKILL));
        ASSERT_EQ(redis.optional_string({"HGET", std::string(kNs) + ":worker:" + wid, "run"}), "")
            << "a beat listed the nap before the kill: the premise of this test does not hold";
        wait_until([&] { return redis.optional_string({"ZSCORE", failed, aid}).has_value(); }, 15s,
                   "the watcher to recover the killed worker's attempt (round " + std::to_string(round + 1) + ")");
        EXPECT_EQ(redis.optional_string({"HGET", std::string(kNs) + ":attempts:" + aid, "err"}), expected[round]);
        EXPECT_EQ(redis.optional_string({"HGET", job_key, "unc"}), "1");
    }
    EXPECT_EQ(redis.optional_string({"HGET", job_key, "fal"}), "1");
    EXPECT_TRUE(redis.optional_string({"ZSCORE", std::string(kNs) + ":dead:default", job}).has_value());
    EXPECT_EQ(redis.integer({"LLEN", std::string(kNs) + ":ready:default"}), 0);
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
}

// A dead worker whose registry hash is gone (it expired: no watcher ran for 3 leases) or has no
// `run` (an older worker) gives no way to tell a running attempt from a waiting one: each is
// counted, as before `run` existed. Written by hand, so no timing is involved.
TEST_F(CrashRecovery, AttemptsOfADeadWorkerWithoutARunListAreAllCounted) {
    const std::string ns(kNs);
    redis.command({"SADD", ns + ":queues", "default"});
    const std::pair<const char*, bool> workers[] = {{"gone", false}, {"older", true}};
    for (const auto& [wid, has_hash] : workers) {
        redis.command({"ZADD", ns + ":workers", "1", wid});
        if (has_hash) redis.command({"HSET", ns + ":worker:" + wid, "state", "running", "busy", "0"});
        const std::string job = std::string("job-") + wid, aid = std::string("att-") + wid;
        redis.command({"HSET", ns + ":jobs:" + job, "que", "default", "cls", "Jobs::Nap", "arg", "{}", "qat", "1"});
        redis.command({"HSET", ns + ":attempts:" + aid, "sta", "1", "job", job, "wrk", "1", "que", "default", "wid", wid});
        redis.command({"SADD", processing, aid});
    }
    Process watcher = start_onyx("watcher", config);
    wait_until([&] { return redis.integer({"SCARD", processing}) == 0; }, 15s, "the watcher to recover both dead workers");
    for (const auto& [wid, has_hash] : workers) {
        EXPECT_EQ(redis.optional_string({"HGET", ns + ":attempts:att-" + wid, "err"}), "Worker Timeout") << wid;
        EXPECT_EQ(redis.optional_string({"HGET", ns + ":jobs:job-" + wid, "fal"}), "1") << wid;
        EXPECT_EQ(redis.optional_string({"HGET", ns + ":jobs:job-" + wid, "unc"}), std::nullopt) << wid;
    }
    EXPECT_EQ(redis.integer({"LLEN", ns + ":ready:default"}), 2);
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
}

}  // namespace
}  // namespace onyx::test
