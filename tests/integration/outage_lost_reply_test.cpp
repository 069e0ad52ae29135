// A claim whose reply never reaches the worker (issue 3: "nothing is lost"), against a real
// redis-server and the real binary. Redis is made to stall (DEBUG SLEEP 1) while a job waits
// in the worker's reservation list; the idle worker's periodic claim is sent during the stall,
// its 200 ms command timeout drops the connection, and after the stall Redis still runs the
// claim it had already received: an attempt of the live worker now sits in processing:<q>, known
// to no process. The worker reconnects and stays alive (so no watcher recovers it); the job
// must still complete, exactly once, and the lost attempt must not be failed as "Worker
// Timeout" (its worker is alive): a live worker may not leave a job in processing forever.
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

TEST(OutageLostReply, ClaimRunByRedisAfterTheWorkerGaveUpOnItStillCompletesTheJob) {
    RedisServer server(RedisServerOptions{.extra_args = {"--enable-debug-command", "yes"}});
    TempDir dir;
    const auto config = write_config(dir, server);
    RedisClient redis(server.port());
    Process watcher = start_onyx("watcher", config);
    Process worker = start_onyx("worker", config);
    const std::string wid = wait_worker_registered(redis, kNs, worker);

    // The job goes straight into the worker's reservation list, as its BLMOVE would put it,
    // and Redis stalls in the same breath, before the worker can claim it.
    redis.command({"HSET", key("jobs", "job-1"), "que", "default", "cls", "Jobs::Noop", "arg", "{}", "qat", "1"});
    redis.command({"SADD", std::string(kNs) + ":queues", "default"});
    RedisClient staller(server.port(), 10s);
    staller.command({"MULTI"});
    staller.command({"RPUSH", key("reserved", wid + ":default"), "job-1"});
    staller.command({"DEBUG", "SLEEP", "1"});
    staller.command({"EXEC"});

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
    // Exactly one run, and the live worker's lost attempt is not called stale.
    static const char* jobs_of = R"lua(
local out = {}
for _, aid in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local h = redis.call('HMGET', ARGV[1] .. aid, 'job', 'err')
  out[#out + 1] = (h[1] or '') .. ' ' .. (h[2] or '')
end
return out
)lua";
    EXPECT_EQ(redis.strings({"EVAL", jobs_of, "1", key("completed"), key("attempts", "")}),
              std::vector<std::string>{"job-1 "});
    for (const auto& row : redis.strings({"EVAL", jobs_of, "1", key("failed"), key("attempts", "")}))
        EXPECT_EQ(row.find("Worker Timeout"), std::string::npos) << "failed attempt: " << row;
    EXPECT_EQ(redis.integer({"SCARD", key("processing")}), 0);
    EXPECT_NE(redis.optional_string({"ZSCORE", std::string(kNs) + ":workers", wid}), std::nullopt);
    EXPECT_TRUE(worker.is_running());
    EXPECT_EQ(worker.terminate(10s), exited_with(0)) << worker.stderr_text();
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
}

}  // namespace
}  // namespace onyx::test
