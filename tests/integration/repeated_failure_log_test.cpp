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

}  // namespace
}  // namespace onyx::test
