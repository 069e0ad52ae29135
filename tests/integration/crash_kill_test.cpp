// SIGKILL stress (issue 3, "done when" 1), against a real redis-server and the real binary:
// while a producer thread keeps 20,000+ jobs flowing (mostly Jobs::Noop, some short
// Jobs::Nap), the worker is SIGKILLed at random moments 30 times and restarted each time; a
// watcher with a 2 s lease recovers the dead workers. At the end:
// - nothing is lost: every job has a completed attempt (by the attempt's `job` field), and
//   ready, scheduled, processing and every reserved list are empty;
// - re-runs are only those the kills explain: every failed attempt is a "Worker Timeout" (or,
//   when no beat listed it running, a "Worker Lost") of a killed worker (no fin/tim), every
//   attempt a killed worker left running got one, and a job has no more extra attempts than it
//   has such stale attempts;
// - every dead worker left <ns>:workers.
#include "support/onyx_daemon.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/redis_client.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

#include <onyx_background/client.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace onyx::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kNs = "crashkill";
constexpr int kKills = 30;
constexpr size_t kMinJobs = 20000;

std::string key(std::string_view kind, std::string_view id = "default") { return ns_key(kNs, kind, id); }

std::string write_config(const TempDir& dir, const RedisServer& server) {
    return write_onyx_config(dir, server, kNs,
                             "[worker]\nconcurrency = 16\nshutdown_timeout = 5s\nheartbeat_interval = 250ms\n"
                             "lease = 2s\nplugins = " + std::string(paths::example_plugin_dir) +
                                 "\n[watcher]\ninterval = 100ms\n[queue.default]\nbackoff_base = 0\nbackoff_cap = 0\n"
                                 "backoff_jitter = 0\n[log]\nlevel = warn\n");
}

// Enqueues batches of 250 jobs (245 Noops, 5 Naps of 50-400 ms) every 100 ms until stopped,
// on its own thread and connection.
class Producer {
public:
    explicit Producer(std::string url) : url_(std::move(url)), thread_([this] { run(); }) {}
    ~Producer() { stop(); }

    void stop() {
        stopping_ = true;
        if (thread_.joinable()) thread_.join();
    }
    std::vector<std::string> ids() {
        std::lock_guard lock(mutex_);
        return ids_;
    }
    std::string error() {
        std::lock_guard lock(mutex_);
        return error_;
    }

private:
    void run() {
        try {
            onyx_background::Client client({url_, kNs});
            std::mt19937 random(12345);
            std::uniform_int_distribution<int> nap_ms(50, 400);
            while (!stopping_) {
                std::vector<onyx_background::JobRequest> batch(250, {"Jobs::Noop"});
                for (size_t i : {0u, 50u, 100u, 150u, 200u}) {
                    batch[i].job_class = "Jobs::Nap";
                    batch[i].args_json = R"({"sleep": )" + std::to_string(nap_ms(random) / 1000.0) + "}";
                }
                auto ids = client.enqueue_many(batch);
                {
                    std::lock_guard lock(mutex_);
                    ids_.insert(ids_.end(), ids.begin(), ids.end());
                }
                std::this_thread::sleep_for(100ms);  // pacing the load, not waiting for anything
            }
        } catch (const std::exception& e) {
            std::lock_guard lock(mutex_);
            error_ = e.what();
        }
    }

    std::string url_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::vector<std::string> ids_;
    std::string error_;
    std::thread thread_;
};

// True when no job id is anywhere but in a finished attempt: no ready, scheduled, reserved or
// processing entry, and only `live_wid` registered.
bool all_settled(RedisClient& redis, const std::string& live_wid) {
    return redis.integer({"LLEN", key("ready")}) == 0 && redis.integer({"SCARD", key("processing")}) == 0 &&
           redis.integer({"ZCARD", key("scheduled")}) == 0 &&
           redis.strings({"KEYS", key("reserved", "*")}).empty() &&
           redis.strings({"ZRANGE", std::string(kNs) + ":workers", "0", "-1"}) == std::vector<std::string>{live_wid};
}

TEST(CrashKill, RandomSigkillsUnderLoadLoseNothingAndRerunOnlyAttemptsInFlight) {
    RedisServer server;
    TempDir dir;
    const auto config = write_config(dir, server);
    RedisClient redis(server.port());

    Process watcher = start_onyx("watcher", config);
    std::optional<Process> worker(start_onyx("worker", config));
    std::string wid = wait_worker_registered(redis, kNs, *worker);

    Producer producer(server.url());
    std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> moment_ms(0, 1000);
    std::set<std::string> killed_wids;
    std::set<std::string> in_flight_at_kills;  // attempts a killed worker had in processing
    int kills_with_work = 0;
    for (int kill = 0; kill < kKills; ++kill) {
        std::this_thread::sleep_for(std::chrono::milliseconds(moment_ms(random)));  // a random moment
        ASSERT_TRUE(worker->is_running()) << "worker died by itself before kill " << kill << ":\n"
                                          << worker->stderr_text();
        ASSERT_EQ(worker->kill9(), killed_by(SIGKILL));
        killed_wids.insert(wid);
        const auto left = list_attempts(redis, kNs, key("processing"), wid);
        for (const auto& attempt : left) in_flight_at_kills.insert(attempt.id);
        if (!left.empty()) ++kills_with_work;
        worker.emplace(start_onyx("worker", config));
        wid = wait_worker_registered(redis, kNs, *worker);
        ASSERT_FALSE(killed_wids.count(wid)) << "a new worker reused instance id " << wid;
    }
    producer.stop();
    ASSERT_EQ(producer.error(), "") << "the producer failed";
    auto ids = producer.ids();
    if (ids.size() < kMinJobs) {
        onyx_background::Client client({server.url(), kNs});
        auto more = client.enqueue_many(std::vector<onyx_background::JobRequest>(kMinJobs - ids.size(), {"Jobs::Noop"}));
        ids.insert(ids.end(), more.begin(), more.end());
    }
    // A random kill can land where nothing runs, but most land among the naps.
    EXPECT_GE(kills_with_work, kKills / 4) << "too few kills hit running attempts: the test proves little";

    wait_until([&] { return redis.integer({"ZCARD", key("completed")}) >= static_cast<long long>(ids.size()) &&
                            all_settled(redis, wid); },
               45s, std::to_string(ids.size()) + " jobs to complete and every dead worker to be recovered");
    ASSERT_TRUE(worker->is_running()) << worker->stderr_text();

    std::map<std::string, int> completed_per_job;
    for (const auto& attempt : list_attempts(redis, kNs, key("completed"))) {
        ++completed_per_job[attempt.job];
        EXPECT_TRUE(attempt.has_fin() && attempt.has_tim() && attempt.err.empty()) << "completed attempt " << attempt.id;
    }
    std::map<std::string, int> timeouts_per_job;
    std::set<std::string> timed_out;
    for (const auto& attempt : list_attempts(redis, kNs, key("failed"))) {
        EXPECT_TRUE(attempt.err == "Worker Timeout" || attempt.err == "Worker Lost")
            << "failed attempt " << attempt.id << " of job " << attempt.job << ": " << attempt.err;
        EXPECT_TRUE(killed_wids.count(attempt.wid))
            << "attempt " << attempt.id << " of live worker " << attempt.wid << " was failed as stale";
        EXPECT_FALSE(attempt.has_fin() || attempt.has_tim()) << "stale attempt " << attempt.id << " has fin/tim";
        ++timeouts_per_job[attempt.job];
        timed_out.insert(attempt.id);
    }
    for (const auto& id : in_flight_at_kills)
        EXPECT_TRUE(timed_out.count(id)) << "attempt " << id << " of a killed worker was not failed as stale";

    size_t lost = 0, reruns = 0;
    for (const auto& id : ids) {
        const int done = completed_per_job.count(id) ? completed_per_job[id] : 0;
        const int stale = timeouts_per_job.count(id) ? timeouts_per_job[id] : 0;
        if (done == 0 && ++lost <= 5) ADD_FAILURE() << "job " << id << " never completed";
        if (done + stale > 1) ++reruns;
        EXPECT_LE(done + stale - 1, stale) << "job " << id << " ran again without a stale attempt";
    }
    EXPECT_EQ(lost, 0u) << "of " << ids.size() << " jobs";
    EXPECT_EQ(completed_per_job.size(), ids.size()) << "completed attempts of jobs never enqueued";
    EXPECT_LE(reruns, timed_out.size());
    RecordProperty("jobs", static_cast<int>(ids.size()));
    RecordProperty("attempts_in_flight_at_kills", static_cast<int>(in_flight_at_kills.size()));
    RecordProperty("reruns", static_cast<int>(reruns));

    EXPECT_EQ(worker->terminate(10s), exited_with(0)) << worker->stderr_text();
    EXPECT_TRUE(watcher.is_running()) << watcher.stderr_text();
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
}

}  // namespace
}  // namespace onyx::test
