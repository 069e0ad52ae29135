// A server `timeout` (Redis closes clients idle for N s) against a busy worker and a watcher:
// with `CONFIG SET timeout 2` and a backlog in the worker's first queue, the wake-up connection
// of its second queue has nothing to do (no BLMOVE is armed under a backlog), and before the
// keepalive PING Redis closed it every 2 s, each time with a "lost connection" / "connected
// again" log pair. Now no connection of the worker or the watcher is closed: every one keeps
// its client id for longer than three timeouts, and no log line says a connection was lost.
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
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace onyx::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kNs = "idletimeout";

// Client ids of every normal connection but the caller's.
std::set<long long> other_client_ids(RedisClient& redis) {
    const long long self = redis.integer({"CLIENT", "ID"});
    std::set<long long> ids;
    std::istringstream lines(redis.get_string({"CLIENT", "LIST", "TYPE", "normal"}));
    for (std::string line; std::getline(lines, line);) {
        std::istringstream fields(line);
        for (std::string field; fields >> field;)
            if (field.rfind("id=", 0) == 0 && std::stoll(field.substr(3)) != self) ids.insert(std::stoll(field.substr(3)));
    }
    return ids;
}

TEST(IdleTimeout, AServerTimeoutClosesNoConnectionOfABusyWorkerOrAWatcher) {
    RedisServer server;
    TempDir dir;
    RedisClient redis(server.port());
    redis.command({"CONFIG", "SET", "timeout", "2"});
    const auto config = write_onyx_config(
        dir, server, kNs,
        "[worker]\nqueues = busy,quiet\nconcurrency = 1\nplugins = " + std::string(paths::example_plugin_dir) +
            "\n[log]\nlevel = info\n");
    {
        // About 9 s of work for one slot: the backlog outlasts the observation below.
        onyx_background::Client producer({server.url(), kNs});
        std::vector<onyx_background::JobRequest> naps(30, {"Jobs::Nap", R"({"sleep": 0.3})", "busy"});
        producer.enqueue_many(naps);
    }
    Process watcher = start_onyx("watcher", config);
    Process worker = start_onyx("worker", config);
    wait_worker_registered(redis, kNs, worker);
    wait_until([&] { return redis.integer({"ZCARD", ns_key(kNs, "completed", "busy")}) >= 1; }, 10s,
               "the first nap to complete");

    const auto before = other_client_ids(redis);
    ASSERT_GE(before.size(), 4u) << "worker main, bookkeeping, quiet wake-up, watcher";
    std::this_thread::sleep_for(6500ms);  // more than three server timeouts
    RedisClient fresh(server.port());  // the server closed ours, idle during the sleep
    const auto after = other_client_ids(fresh);
    EXPECT_EQ(after, before) << "a connection was closed and made again";
    EXPECT_LT(fresh.integer({"ZCARD", ns_key(kNs, "completed", "busy")}), 30) << "the backlog ran out too early";

    EXPECT_EQ(worker.terminate(10s), exited_with(0)) << worker.stderr_text();
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
    for (const Process* p : {&worker, &watcher}) {
        const std::string log = p->stderr_text();
        EXPECT_EQ(log.find("lost connection"), std::string::npos) << log;
        EXPECT_EQ(log.find("connected again"), std::string::npos) << log;
    }
}

}  // namespace
}  // namespace onyx::test
