// A claim whose reply never reaches the worker (issue 3: "nothing is lost"), against a real
// redis-server and the real binary. Redis is made to stall (DEBUG SLEEP) while a job waits in
// the worker's reservation list; the idle worker's periodic claim is sent during the stall,
// its 200 ms command timeout drops the connection, and after the stall Redis still runs the
// claim it had already received: an attempt of the live worker now sits in processing:<q>,
// known to no process. The worker reconnects and stays alive (so no watcher recovers it).
// - A running worker adopts that attempt (docs/protocol.md, "Lost claim replies"): the attempt
//   the lost claim made is the one that completes, the job has no other attempt, and nothing is
//   recorded as failed ("Claim Lost", "Worker Timeout" or other): a job that never failed has
//   no failed attempt.
// - A worker told to stop (SIGTERM) while the link is down, kept alive by a running job, starts
//   nothing new: after the reconnect it hands the attempt back as "Claim Lost" (not counted as
//   a failure of the job) and the job waits at the head of ready:<q> for another worker.
#include "support/onyx_daemon.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/redis_client.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

namespace onyx::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kNs = "lostreply";

std::string key(std::string_view kind, std::string_view id = "default") { return ns_key(kNs, kind, id); }

std::string write_config(const TempDir& dir, const RedisServer& server) {
    return write_onyx_config(dir, server, kNs,
                             "command_timeout = 200ms\n[worker]\nconcurrency = 2\nshutdown_timeout = 5s\n"
                             "heartbeat_interval = 100ms\nlease = 2s\nplugins = " +
                                 std::string(paths::example_plugin_dir) + "\n[watcher]\ninterval = 100ms\n[log]\nlevel = info\n");
}

void add_job(RedisClient& redis, const std::string& id, const std::string& job_class, const std::string& args) {
    redis.command({"HSET", key("jobs", id), "que", "default", "cls", job_class, "arg", args, "qat", "1"});
    redis.command({"SADD", std::string(kNs) + ":queues", "default"});
}

// Puts `id` straight into worker `wid`'s reservation list, as its BLMOVE would, and stalls Redis
// for `seconds` in the same breath, before the worker can claim it. Returns the wall time (ms)
// just before the stall: a claim sent after the stall has a later `sta` than this + the stall.
int64_t reserve_and_stall(const RedisServer& server, const std::string& wid, const std::string& id, int seconds) {
    RedisClient staller(server.port(), std::chrono::seconds(seconds + 10));
    const int64_t stall_from_ms = wall_ms();
    staller.command({"MULTI"});
    staller.command({"RPUSH", key("reserved", wid + ":default"), id});
    staller.command({"DEBUG", "SLEEP", std::to_string(seconds)});
    staller.command({"EXEC"});
    return stall_from_ms;
}

TEST(OutageLostReply, ClaimRunByRedisAfterTheWorkerGaveUpOnItIsAdoptedAndItsAttemptCompletesTheJob) {
    RedisServer server(RedisServerOptions{.extra_args = {"--enable-debug-command", "yes"}});
    TempDir dir;
    const auto config = write_config(dir, server);
    RedisClient redis(server.port());
    Process watcher = start_onyx("watcher", config);
    Process worker = start_onyx("worker", config);
    const std::string wid = wait_worker_registered(redis, kNs, worker);

    add_job(redis, "job-1", "Jobs::Noop", "{}");
    const int64_t stall_from_ms = reserve_and_stall(server, wid, "job-1", 1);

    wait_until([&] { return redis.integer({"ZCARD", key("completed")}) + redis.integer({"SCARD", key("processing")}) +
                                redis.integer({"ZCARD", key("failed")}) >= 1; },
               5s, "job-1 to be claimed");
    ASSERT_TRUE(worker.is_running()) << worker.stderr_text();
    const bool completed = try_wait_until([&] { return redis.integer({"ZCARD", key("completed")}) >= 1; }, 10s);
    EXPECT_TRUE(completed) << "job-1 never completed; processing: "
                           << testing::PrintToString(redis.strings({"SMEMBERS", key("processing")}))
                           << ", workers: "
                           << testing::PrintToString(redis.strings({"ZRANGE", std::string(kNs) + ":workers", "0", "-1"}))
                           << "\nworker stderr:\n" << worker.stderr_text();
    // The claim was cut off: the worker dropped its connection for the timeout during the stall.
    EXPECT_NE(worker.stderr_text().find("command timed out"), std::string::npos) << worker.stderr_text();
    // One attempt, made by the claim sent during the stall (a claim sent after it has a later
    // sta), and it completed: adopted, not handed back and claimed again.
    const auto chain = attempt_chain(redis, kNs, "job-1");
    ASSERT_EQ(chain.size(), 1u) << "job-1 has more than the lost claim's attempt: "
                                << testing::PrintToString(chain) << "\nworker stderr:\n" << worker.stderr_text();
    const auto& attempt = chain.front();
    EXPECT_LT(std::stoll(attempt.at("sta")), stall_from_ms + 1000) << "the attempt was not made by the lost claim";
    EXPECT_EQ(attempt.count("err"), 0u) << testing::PrintToString(attempt);
    EXPECT_EQ(redis.strings({"ZRANGE", key("completed"), "0", "-1"}), std::vector<std::string>{attempt.at("id")});
    EXPECT_EQ(redis.strings({"ZRANGE", key("failed"), "0", "-1"}), std::vector<std::string>{});
    EXPECT_EQ(redis.optional_string({"HGET", key("stats"), "failed"}).value_or("0"), "0");
    EXPECT_NE(worker.stderr_text().find("took over 1 attempts whose claim reply was lost"), std::string::npos)
        << worker.stderr_text();
    EXPECT_EQ(redis.integer({"SCARD", key("processing")}), 0);
    EXPECT_NE(redis.optional_string({"ZSCORE", std::string(kNs) + ":workers", wid}), std::nullopt);
    EXPECT_TRUE(worker.is_running());
    EXPECT_EQ(worker.terminate(10s), exited_with(0)) << worker.stderr_text();
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
}

TEST(OutageLostReply, ClaimLostWhileTheWorkerStopsIsHandedBackAsClaimLostNotRun) {
    RedisServer server(RedisServerOptions{.extra_args = {"--enable-debug-command", "yes"}});
    TempDir dir;
    // A long lease and no watcher: the 3 s stall must not make anyone judge the worker.
    const auto config = write_onyx_config(dir, server, kNs,
                                          "command_timeout = 200ms\n[worker]\nconcurrency = 2\nshutdown_timeout = 20s\n"
                                          "heartbeat_interval = 100ms\nlease = 30s\nplugins = " +
                                              std::string(paths::example_plugin_dir) + "\n[log]\nlevel = info\n");
    RedisClient redis(server.port());
    Process worker = start_onyx("worker", config);
    const std::string wid = wait_worker_registered(redis, kNs, worker);

    // A Nap that outlasts the stall and the reconnect keeps the stopping worker alive until
    // its link is back; the other slot stays free, so the worker keeps claiming.
    add_job(redis, "nap", "Jobs::Nap", R"({"sleep": 8})");
    redis.command({"RPUSH", key("ready"), "nap"});
    wait_until([&] { return redis.integer({"SCARD", key("processing")}) == 1; }, 5s, "the Nap to be claimed");
    add_job(redis, "job-1", "Jobs::Noop", "{}");
    std::thread stall([&] { reserve_and_stall(server, wid, "job-1", 3); });
    const bool dropped =
        try_wait_until([&] { return worker.stderr_text().find("command timed out") != std::string::npos; }, 2s);
    if (dropped) worker.send_signal(SIGTERM);
    stall.join();
    ASSERT_TRUE(dropped) << timeout_message(2s, "the worker to drop its link during the stall") << ":\n"
                         << worker.stderr_text();

    wait_until([&] { return redis.integer({"ZCARD", key("failed")}) >= 1; }, 10s,
               "the lost claim's attempt to be handed back");
    const std::string log = worker.stderr_text();
    const size_t stopping_at = log.find(" stopping: "), back_at = log.find("connected again");
    ASSERT_TRUE(stopping_at != std::string::npos && back_at != std::string::npos && stopping_at < back_at)
        << "SIGTERM did not come while the link was down:\n" << log;
    const auto failed = list_attempts(redis, kNs, key("failed"));
    ASSERT_EQ(failed.size(), 1u) << log;
    EXPECT_EQ(failed[0].job, "job-1");
    EXPECT_EQ(failed[0].err, "Claim Lost");
    EXPECT_EQ(redis.strings({"LRANGE", key("ready"), "0", "-1"}), std::vector<std::string>{"job-1"});
    EXPECT_EQ(redis.optional_string({"HGET", key("jobs", "job-1"), "fal"}), std::nullopt) << "a hand-back is no failure";
    EXPECT_EQ(redis.optional_string({"HGET", key("stats"), "failed"}).value_or("0"), "0");
    EXPECT_NE(log.find("handed back 1 attempts whose claim reply was lost"), std::string::npos) << log;

    // The Nap still completes and the worker exits cleanly; job-1 was never run.
    EXPECT_EQ(worker.wait_exit(20s), exited_with(0)) << worker.stderr_text();
    EXPECT_EQ(redis.integer({"ZCARD", key("completed")}), 1);
    EXPECT_EQ(list_attempts(redis, kNs, key("completed")).at(0).job, "nap");
    EXPECT_EQ(redis.integer({"SCARD", key("processing")}), 0);
}

}  // namespace
}  // namespace onyx::test
