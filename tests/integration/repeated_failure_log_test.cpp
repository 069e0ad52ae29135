// A failure that repeats is logged when it starts and when it ends, not once per retry: with
// the Redis node demoted to a replica of a master that does not exist (every write refused with
// READONLY) for about 3 s, a worker beating every 250 ms and a watcher promoting every 100 ms
// write one line each when their writes start to fail and one when they work again. Before,
// the heartbeat logged every beat and the watcher every promotion attempt.
#include "support/free_port.hpp"
#include "support/onyx_daemon.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/redis_client.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

namespace onyx::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kNs = "repeated";

size_t count(const std::string& text, const std::string& part) {
    size_t n = 0;
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
}

TEST(RepeatedFailureLog, RefusedWritesAreLoggedWhenTheyStartAndWhenTheyEnd) {
    RedisServer server;
    TempDir dir;
    RedisClient redis(server.port());
    const auto config = write_onyx_config(
        dir, server, kNs,
        "[worker]\nconcurrency = 1\nheartbeat_interval = 250ms\nplugins = " + std::string(paths::example_plugin_dir) +
            "\n[watcher]\ninterval = 100ms\n");
    Process watcher = start_onyx("watcher", config);
    Process worker = start_onyx("worker", config);
    wait_worker_registered(redis, kNs, worker);

    redis.command({"REPLICAOF", "127.0.0.1", std::to_string(find_free_port())});  // nobody there
    std::this_thread::sleep_for(3s);
    redis.command({"REPLICAOF", "NO", "ONE"});
    wait_until([&] { return count(worker.stderr_text(), "heartbeat works again") == 1; }, 5s,
               "the worker to log that its heartbeat works again");
    wait_until([&] { return count(watcher.stderr_text(), "promotion works again") == 1; }, 5s,
               "the watcher to log that promotion works again");

    const std::string worker_log = worker.stderr_text();
    const std::string watcher_log = watcher.stderr_text();
    EXPECT_EQ(count(worker_log, "heartbeat failed: READONLY"), 1u) << worker_log;
    EXPECT_EQ(count(worker_log, "heartbeat still failing"), 0u) << worker_log;  // under a minute
    EXPECT_EQ(count(watcher_log, "promotion failed: "), 1u) << watcher_log;
    EXPECT_NE(watcher_log.find("READONLY"), std::string::npos) << watcher_log;
    EXPECT_EQ(worker.terminate(10s), exited_with(0)) << worker_log;
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher_log;
}

// A watcher that could not write must not judge leases: the node is a replica for longer than
// a lease while a worker runs a 6 s job; its heartbeats are refused, so its lease in Redis ends.
// When writes come back the watcher waits one lease before judging anyone (as after a
// reconnect), the worker beats again, and the job completes once, with no attempt failed as
// Worker Timeout or put back as Worker Lost. Before, the watcher recovered the live worker at
// once and the job ran twice.
TEST(RepeatedFailureLog, AWatcherWhoseWritesWereRefusedJudgesNoLeaseUntilOneHasPassed) {
    RedisServer server;
    TempDir dir;
    RedisClient redis(server.port());
    const auto config = write_onyx_config(
        dir, server, kNs,
        "[worker]\nconcurrency = 1\nheartbeat_interval = 250ms\nlease = 2s\nplugins = " +
            std::string(paths::example_plugin_dir) + "\n[watcher]\ninterval = 100ms\n");
    Process watcher = start_onyx("watcher", config);
    Process worker = start_onyx("worker", config);
    wait_worker_registered(redis, kNs, worker);
    std::this_thread::sleep_for(2500ms);  // past the watcher's first lease after its connect
    redis.command({"HSET", ns_key(kNs, "jobs", "long"), "que", "default", "cls", "Jobs::Nap", "arg",
                   R"({"sleep": 6})", "qat", std::to_string(wall_ms())});
    redis.command({"RPUSH", ns_key(kNs, "ready"), "long"});
    wait_until([&] { return redis.integer({"SCARD", ns_key(kNs, "processing")}) == 1; }, 5s, "the nap to start");

    redis.command({"REPLICAOF", "127.0.0.1", std::to_string(find_free_port())});
    std::this_thread::sleep_for(3s);  // longer than the 2 s lease
    redis.command({"REPLICAOF", "NO", "ONE"});

    wait_until([&] { return redis.integer({"ZCARD", ns_key(kNs, "completed")}) == 1; }, 15s, "the nap to complete");
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(redis.integer({"ZCARD", ns_key(kNs, "failed")}), 0) << watcher.stderr_text();
    EXPECT_EQ(redis.integer({"LLEN", ns_key(kNs, "ready")}), 0) << "the job was queued again";
    EXPECT_EQ(redis.integer({"SCARD", ns_key(kNs, "processing")}), 0);
    EXPECT_NE(watcher.stderr_text().find("Redis accepts writes again"), std::string::npos) << watcher.stderr_text();
    EXPECT_EQ(worker.terminate(10s), exited_with(0)) << worker.stderr_text();
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
}

}  // namespace
}  // namespace onyx::test
