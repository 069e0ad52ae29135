// Connection loss by CLIENT KILL (issue 3, "done when" 3), against a real redis-server and the
// real binary: while a worker runs a 3 s Jobs::Nap, every connection of the worker is killed
// (CLIENT KILL ID, three times, each after it came back). The job still completes exactly once
// and no attempt is failed as stale ("Worker Timeout") although a watcher with a 2 s lease ran a
// recovery pass after the lease of a silent worker would have run out; the same worker process
// reconnects by itself, restores its client names (the original's tools read them) and runs
// new jobs.
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
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace onyx::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kNs = "clientkill";
constexpr int64_t kLeaseMs = 2000;

std::string key(std::string_view kind, std::string_view id = "default") { return ns_key(kNs, kind, id); }

std::string write_config(const TempDir& dir, const RedisServer& server) {
    return write_onyx_config(dir, server, kNs,
                             "[worker]\nconcurrency = 2\nshutdown_timeout = 5s\nheartbeat_interval = 250ms\n"
                             "lease = 2s\nplugins = " + std::string(paths::example_plugin_dir) +
                                 "\n[watcher]\ninterval = 100ms\n[log]\nlevel = info\n");
}

struct Connection {
    long long id = 0;
    std::string name;
};

std::vector<Connection> connections(RedisClient& redis) {
    std::vector<Connection> out;
    std::istringstream lines(redis.get_string({"CLIENT", "LIST", "TYPE", "normal"}));
    for (std::string line; std::getline(lines, line);) {
        Connection c;
        std::istringstream fields(line);
        for (std::string field; fields >> field;) {
            if (field.rfind("id=", 0) == 0) c.id = std::stoll(field.substr(3));
            if (field.rfind("name=", 0) == 0) c.name = field.substr(5);
        }
        out.push_back(c);
    }
    return out;
}

std::optional<Connection> named(RedisClient& redis, const std::string& name) {
    for (const auto& c : connections(redis))
        if (c.name == name) return c;
    return std::nullopt;
}

// Waits for the worker's main connection (id above `above`) and its bookkeeping connection
// named after it, as the original's tools pair them.
long long wait_worker_named(RedisClient& redis, long long above, const std::string& what) {
    long long main_id = 0;
    wait_until(
        [&] {
            const auto main = named(redis, "onyx-background-worker:default");
            if (!main || main->id <= above) return false;
            main_id = main->id;
            return named(redis, "onyx-background-worker-fiber:" + std::to_string(main_id)).has_value();
        },
        10s, what);
    return main_id;
}

// Kills every normal connection but the watcher's and the caller's; returns how many.
long long kill_worker_connections(RedisClient& redis) {
    const long long self = redis.integer({"CLIENT", "ID"});
    long long killed = 0;
    for (const auto& c : connections(redis)) {
        if (c.id == self || c.name == "onyx-background-watcher") continue;
        killed += redis.integer({"CLIENT", "KILL", "ID", std::to_string(c.id)});
    }
    return killed;
}

TEST(OutageClientKill, KilledConnectionsDuringALongJobNeitherFailItAsStaleNorStopTheWorker) {
    RedisServer server;
    TempDir dir;
    const auto config = write_config(dir, server);
    RedisClient redis(server.port());
    Process watcher = start_onyx("watcher", config);
    Process worker = start_onyx("worker", config);
    long long main_id = wait_worker_named(redis, 0, "the worker's named connections");
    wait_until([&] { return named(redis, "onyx-background-watcher").has_value(); }, 10s, "the watcher to connect");
    const std::string wid = wait_worker_registered(redis, kNs, worker);

    std::string nap_id;
    {
        onyx_background::Client producer({server.url(), kNs});
        nap_id = producer.enqueue({"Jobs::Nap", R"({"sleep": 3})"});
    }
    wait_until([&] { return redis.integer({"SCARD", key("processing")}) == 1; }, 10s, "the nap to start");

    for (int round = 0; round < 3; ++round) {
        EXPECT_GE(kill_worker_connections(redis), 2) << "round " << round << ": the worker's connections were not found";
        main_id = wait_worker_named(redis, main_id,
                                    "the worker to reconnect and name its connections again, round " +
                                        std::to_string(round));
    }
    const int64_t last_kill_ms = wall_ms();

    // A stand-in worker whose lease ends after that of a worker silent since the kills: once
    // the watcher has recovered it, it has judged our worker too.
    const std::string probe = "probe-worker-" + std::to_string(last_kill_ms);
    redis.command({"ZADD", std::string(kNs) + ":workers", std::to_string(last_kill_ms + kLeaseMs + 100), probe});
    wait_until([&] { return !redis.optional_string({"ZSCORE", std::string(kNs) + ":workers", probe}).has_value(); },
               10s, "the watcher to recover the probe worker (a recovery pass after our worker's lease)");

    wait_until([&] { return redis.integer({"ZCARD", key("completed")}) >= 1; }, 15s, "the nap to complete");
    const auto done = list_attempts(redis, kNs, key("completed"));
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].job, nap_id);
    for (const auto& a : list_attempts(redis, kNs, key("failed")))
        ADD_FAILURE() << "attempt " << a.id << " of job " << a.job << " failed with '" << a.err << "'";
    EXPECT_EQ(redis.integer({"SCARD", key("processing")}), 0);
    EXPECT_EQ(redis.integer({"LLEN", key("ready")}), 0) << "the nap was queued again";
    EXPECT_NE(redis.optional_string({"ZSCORE", std::string(kNs) + ":workers", wid}), std::nullopt)
        << "the live worker was unregistered";

    // The same process takes new work by itself.
    std::string noop_id;
    {
        onyx_background::Client producer({server.url(), kNs});
        noop_id = producer.enqueue({"Jobs::Noop"});
    }
    wait_until([&] { return redis.integer({"ZCARD", key("completed")}) == 2; }, 10s,
               "the reconnected worker to run a new job");
    bool found = false;
    for (const auto& a : list_attempts(redis, kNs, key("completed"))) found = found || a.job == noop_id;
    EXPECT_TRUE(found);
    EXPECT_TRUE(worker.is_running());
    EXPECT_EQ(worker.terminate(10s), exited_with(0)) << worker.stderr_text();
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
}

}  // namespace
}  // namespace onyx::test
