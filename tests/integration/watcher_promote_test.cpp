// Scheduled promotion by watchers (issue 3, "done when" 2), against a real redis-server and
// the real binary:
// - three watchers promote 10,000 jobs due within the next 1-2 s, with no worker: each job is
//   in ready:<q> exactly once (LRANGE), none is left in scheduled:<q>;
// - the same with two workers running: every job has exactly one attempt, and it completed;
// - a job scheduled in the past (by the producer API, and by a hand-written ZADD with scores
//   0 and -5) runs at once;
// - bad or huge scores written by hand (+inf, -inf, 1e300) do not wedge the watcher: jobs
//   scheduled around them are still promoted on time, +inf and 1e300 stay scheduled, and the
//   watcher keeps running and exits 0 on SIGTERM.
#include "support/onyx_daemon.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/redis_client.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

#include <onyx_background/client.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace onyx::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kNs = "promote";
constexpr size_t kJobs = 10000;

std::string key(std::string_view kind, std::string_view id = "default") { return ns_key(kNs, kind, id); }

std::string write_config(const TempDir& dir, const RedisServer& server) {
    return write_onyx_config(dir, server, kNs,
                             "[worker]\nconcurrency = 10\nshutdown_timeout = 5s\nheartbeat_interval = 250ms\n"
                             "lease = 2s\nplugins = " + std::string(paths::example_plugin_dir) +
                                 "\n[watcher]\ninterval = 200ms\npromote_batch = 500\n[log]\nlevel = warn\n");
}

// Waits until `count` connections named onyx-background-watcher are open, so that all of them
// race for the same due jobs.
void wait_watchers_connected(RedisClient& redis, size_t count) {
    wait_until(
        [&] {
            const std::string list = redis.get_string({"CLIENT", "LIST", "TYPE", "normal"});
            size_t n = 0;
            for (size_t at = list.find("name=onyx-background-watcher "); at != std::string::npos;
                 at = list.find("name=onyx-background-watcher ", at + 1))
                ++n;
            return n >= count;
        },
        10s, std::to_string(count) + " watchers to connect");
}

// `count` Noop jobs due between 1 and 2 s from now, spread evenly.
std::vector<std::string> schedule_noops(const RedisServer& server, size_t count) {
    onyx_background::Client producer({server.url(), kNs});
    const int64_t base = wall_ms() + 1000;
    std::vector<onyx_background::JobRequest> requests(count, {"Jobs::Noop"});
    for (size_t i = 0; i < count; ++i) requests[i].run_at_ms = base + static_cast<int64_t>(i * 1000 / count);
    return producer.enqueue_many(requests);
}

// Writes a job hash and adds its id to scheduled:default with `score` verbatim, as a
// hand-written producer (or a corrupt one) would.
void zadd_by_hand(RedisClient& redis, const std::string& id, const std::string& score) {
    redis.command({"HSET", key("jobs", id), "que", "default", "cls", "Jobs::Noop", "arg", "{}", "qat",
                   std::to_string(wall_ms())});
    redis.command({"SADD", std::string(kNs) + ":queues", "default"});
    redis.command({"ZADD", key("scheduled"), score, id});
}

// Job ids of the completed attempts, with how many completed attempts each has.
std::map<std::string, int> completed_jobs(RedisClient& redis) {
    static const char* script = R"lua(
local out = {}
for _, aid in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  out[#out + 1] = redis.call('HGET', ARGV[1] .. aid, 'job') or ''
end
return out
)lua";
    std::map<std::string, int> count;
    for (const auto& job : redis.strings({"EVAL", script, "1", key("completed"), key("attempts", "")})) ++count[job];
    return count;
}

TEST(WatcherPromote, ThreeWatchersPromoteEachOfTenThousandJobsExactlyOnce) {
    RedisServer server;
    TempDir dir;
    const auto config = write_config(dir, server);
    RedisClient redis(server.port());
    std::vector<Process> watchers;
    for (int i = 0; i < 3; ++i) watchers.push_back(start_onyx("watcher", config));
    wait_watchers_connected(redis, 3);

    const auto ids = schedule_noops(server, kJobs);
    ASSERT_EQ(ids.size(), kJobs);
    EXPECT_GT(redis.integer({"ZCARD", key("scheduled")}), 0) << "the jobs were due before the watchers saw them";
    wait_until([&] { return redis.integer({"ZCARD", key("scheduled")}) == 0; }, 15s,
               "the watchers to empty " + key("scheduled"));

    // The promote script pushes in the same atomic step as it removes, so with scheduled empty
    // every push has happened.
    const auto ready = redis.strings({"LRANGE", key("ready"), "0", "-1"});
    std::map<std::string, int> seen;
    for (const auto& id : ready) ++seen[id];
    size_t duplicates = 0;
    for (const auto& [id, n] : seen)
        if (n > 1 && ++duplicates <= 5) ADD_FAILURE() << "job " << id << " is in ready " << n << " times";
    EXPECT_EQ(duplicates, 0u);
    EXPECT_EQ(ready.size(), kJobs);
    for (const auto& id : ids) EXPECT_EQ(seen.count(id), 1u) << "job " << id << " was not promoted";

    for (auto& watcher : watchers) {
        EXPECT_TRUE(watcher.is_running()) << watcher.stderr_text();
        EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
    }
}

TEST(WatcherPromote, WithWorkersEachPromotedJobRunsExactlyOnce) {
    RedisServer server;
    TempDir dir;
    const auto config = write_config(dir, server);
    RedisClient redis(server.port());
    std::vector<Process> daemons;
    for (int i = 0; i < 3; ++i) daemons.push_back(start_onyx("watcher", config));
    wait_watchers_connected(redis, 3);
    for (int i = 0; i < 2; ++i) daemons.push_back(start_onyx("worker", config));
    wait_until([&] { return redis.integer({"ZCARD", std::string(kNs) + ":workers"}) == 2; }, 10s,
               "2 workers to register");

    const auto ids = schedule_noops(server, kJobs);
    wait_until([&] { return redis.integer({"ZCARD", key("completed")}) >= static_cast<long long>(kJobs) &&
                            redis.integer({"SCARD", key("processing")}) == 0 &&
                            redis.integer({"ZCARD", key("scheduled")}) == 0 &&
                            redis.integer({"LLEN", key("ready")}) == 0; },
               20s, std::to_string(kJobs) + " scheduled jobs to be promoted and completed");

    const auto done = completed_jobs(redis);
    for (const auto& id : ids) {
        auto it = done.find(id);
        EXPECT_TRUE(it != done.end() && it->second == 1)
            << "job " << id << " has " << (it == done.end() ? 0 : it->second) << " completed attempts";
    }
    EXPECT_EQ(done.size(), kJobs);
    EXPECT_EQ(redis.integer({"ZCARD", key("completed")}), static_cast<long long>(kJobs)) << "some job ran twice";
    EXPECT_EQ(redis.integer({"ZCARD", key("failed")}), 0);
    for (auto& daemon : daemons) EXPECT_EQ(daemon.terminate(10s), exited_with(0)) << daemon.stderr_text();
}

TEST(WatcherPromote, JobScheduledInThePastRunsAtOnce) {
    RedisServer server;
    TempDir dir;
    const auto config = write_config(dir, server);
    RedisClient redis(server.port());
    Process watcher = start_onyx("watcher", config);
    Process worker = start_onyx("worker", config);
    wait_watchers_connected(redis, 1);

    onyx_background::Client producer({server.url(), kNs});
    onyx_background::JobRequest past{"Jobs::Noop"};
    past.run_at_ms = wall_ms() - 3600 * 1000;
    std::set<std::string> ids = {producer.enqueue(past), "by-hand-zero", "by-hand-negative"};
    zadd_by_hand(redis, "by-hand-zero", "0");
    zadd_by_hand(redis, "by-hand-negative", "-5");

    wait_until(
        [&] {
            const auto done = completed_jobs(redis);
            for (const auto& id : ids)
                if (!done.count(id)) return false;
            return true;
        },
        5s, "the 3 jobs scheduled in the past to complete");
    EXPECT_EQ(redis.integer({"ZCARD", key("scheduled")}), 0);
    EXPECT_EQ(redis.integer({"ZCARD", key("completed")}), 3);
    EXPECT_EQ(worker.terminate(10s), exited_with(0)) << worker.stderr_text();
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
}

// Only the original's producers (which never add to <ns>:queues) and no worker yet: a watcher
// given `-q mail` registers that queue and promotes its due jobs. Before, it ignored -q and
// the job stayed in scheduled:mail for ever.
TEST(WatcherPromote, AWatchersQueuesArePromotedWithoutAnyWorker) {
    RedisServer server;
    TempDir dir;
    const auto config = write_config(dir, server);
    RedisClient redis(server.port());
    redis.command({"HSET", key("jobs", "orig-1"), "que", "mail", "cls", "Jobs::Noop", "arg", "{}", "qat", "0"});
    redis.command({"ZADD", key("scheduled", "mail"), std::to_string(wall_ms() - 1000), "orig-1"});
    Process watcher({std::string(paths::onyx_bin), "watcher", "--config", config, "-q", "mail"});
    wait_until([&] { return redis.integer({"LLEN", key("ready", "mail")}) == 1; }, 5s,
               "the watcher to promote the due job of queue mail");
    EXPECT_EQ(redis.integer({"ZCARD", key("scheduled", "mail")}), 0);
    EXPECT_EQ(redis.integer({"SISMEMBER", std::string(kNs) + ":queues", "mail"}), 1);
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
}

TEST(WatcherPromote, BadAndHugeScoresDoNotWedgeTheWatcher) {
    RedisServer server;
    TempDir dir;
    const auto config = write_config(dir, server);
    RedisClient redis(server.port());
    zadd_by_hand(redis, "score-plus-inf", "+inf");
    zadd_by_hand(redis, "score-minus-inf", "-inf");
    zadd_by_hand(redis, "score-1e300", "1e300");
    zadd_by_hand(redis, "score-1e19", "1e19");  // beyond int64 when read back as ms
    // A second queue whose only entry is +inf, so the earliest due time of every set is odd.
    redis.command({"HSET", key("jobs", "other-plus-inf"), "que", "other", "cls", "Jobs::Noop", "arg", "{}"});
    redis.command({"SADD", std::string(kNs) + ":queues", "other"});
    redis.command({"ZADD", key("scheduled", "other"), "+inf", "other-plus-inf"});

    Process watcher = start_onyx("watcher", config);
    wait_watchers_connected(redis, 1);
    wait_until([&] { return redis.optional_string({"ZSCORE", key("scheduled"), "score-minus-inf"}) == std::nullopt; },
               5s, "the -inf job to be promoted");

    // Jobs due after the bad entries were seen: promoted once due, not stuck behind them.
    for (int round = 0; round < 3; ++round) {
        onyx_background::Client producer({server.url(), kNs});
        onyx_background::JobRequest soon{"Jobs::Noop"};
        soon.run_at_ms = wall_ms() + 300;
        const std::string id = producer.enqueue(soon);
        wait_until(
            [&] {
                const auto ready = redis.strings({"LRANGE", key("ready"), "0", "-1"});
                return std::find(ready.begin(), ready.end(), id) != ready.end();
            },
            5s, "job " + id + " (due in 300 ms, round " + std::to_string(round) + ") to be promoted past the bad scores");
        ASSERT_TRUE(watcher.is_running()) << watcher.stderr_text();
    }
    for (const char* id : {"score-plus-inf", "score-1e300", "score-1e19"})
        EXPECT_NE(redis.optional_string({"ZSCORE", key("scheduled"), id}), std::nullopt) << id << " was promoted";
    EXPECT_NE(redis.optional_string({"ZSCORE", key("scheduled", "other"), "other-plus-inf"}), std::nullopt);
    const auto ready = redis.strings({"LRANGE", key("ready"), "0", "-1"});
    EXPECT_EQ(std::count(ready.begin(), ready.end(), "score-minus-inf"), 1);
    EXPECT_EQ(ready.size(), 4u);
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
}

}  // namespace
}  // namespace onyx::test
