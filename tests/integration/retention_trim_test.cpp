// Retention (issue 4, "done when" 3), against a real redis-server and the real binaries:
// - RetentionTrim.*: with small limits the watcher trims completed:<q>, failed:<q> and dead:<q>
//   by age (completed_ttl/failed_ttl/dead_ttl = 1 s) and by count (max_completed/max_failed/
//   max_dead, oldest first), deletes the trimmed attempt hashes and the hashes of jobs whose
//   last attempt completed (or which were dead), keeps every other record whole, and
//   stats:<q> still counts every attempt.
// - RetentionSlow.*: N no-op jobs (env ONYX_RETENTION_JOBS, default 1,000,000) with default
//   retention leave Redis memory (INFO used_memory above an empty Redis) under the bound
//   documented in docs/retries.md once the watcher has trimmed. Slow: ~40 s for 1,000,000 on
//   2 idle cores (~25,000 jobs/s); set ONYX_RETENTION_JOBS=200000 for a quicker run (the bound
//   is the same: it depends on max_completed, not on N), or exclude it with
//   --gtest_filter=-RetentionSlow.*.
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
#include <cstdlib>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace onyx::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kNs = "retention";
constexpr auto kDeadline = 30s;

std::string key(std::string_view kind, std::string_view id = "default") { return ns_key(kNs, kind, id); }

std::string write_config(const TempDir& dir, const RedisServer& server, const std::string& worker,
                         const std::string& queue_section) {
    return write_onyx_config(dir, server, kNs,
                             "[worker]\n" + worker + "shutdown_timeout = 2s\nheartbeat_interval = 250ms\nlease = 5s\nplugins = " +
                                 std::string(paths::example_plugin_dir) + "\n[watcher]\ninterval = 100ms\n" +
                                 queue_section + "[log]\nlevel = info\n");
}

long long used_memory(RedisClient& redis) {
    const std::string info = redis.get_string({"INFO", "memory"});
    const auto at = info.find("used_memory:");
    if (at == std::string::npos) throw std::runtime_error("no used_memory in INFO memory: " + info);
    return std::stoll(info.substr(at + 12));
}

// Ids in a sorted set, oldest (lowest score) first, as the trim sees them.
std::vector<std::string> members(RedisClient& redis, const std::string& set_key) {
    return redis.strings({"ZRANGE", set_key, "0", "-1"});
}

size_t count_keys(RedisClient& redis, const std::string& pattern) {
    return redis.strings({"KEYS", pattern}).size();
}

std::vector<onyx_background::JobRequest> jobs(size_t noops, size_t failing) {
    std::vector<onyx_background::JobRequest> out(noops, {"Jobs::Noop"});
    for (size_t i = 0; i < failing; ++i) {
        onyx_background::JobRequest r{"Jobs::Fail", R"({"message": "dies"})"};
        r.retries = 0;  // one failed attempt, then dead
        out.push_back(r);
    }
    return out;
}

TEST(RetentionTrim, AgeLimitsEmptyTheSetsAndDeleteTheHashesWhileStatsStayRight) {
    RedisServer server;
    TempDir dir;
    const auto config = write_config(dir, server, "concurrency = 4\n",
                                     "[queue.default]\ncompleted_ttl = 1s\nfailed_ttl = 1s\ndead_ttl = 1s\n");
    RedisClient redis(server.port());
    Process watcher = start_onyx("watcher", config);
    Process worker = start_onyx("worker", config);
    onyx_background::Client producer({server.url(), kNs});
    const auto ids = producer.enqueue_many(jobs(200, 20));

    wait_until([&] { return redis.hgetall(key("stats")) == std::map<std::string, std::string>{{"completed", "200"}, {"failed", "20"}}; },
               kDeadline, "stats:default to count 200 completed and 20 failed attempts");
    const bool trimmed = try_wait_until(
        [&] {
            return redis.integer({"ZCARD", key("completed")}) == 0 && redis.integer({"ZCARD", key("failed")}) == 0 &&
                   redis.integer({"ZCARD", key("dead")}) == 0;
        },
        kDeadline);
    ASSERT_TRUE(trimmed) << timeout_message(kDeadline, "the watcher to empty completed/failed/dead:default after 1 s")
                         << ": completed " << redis.integer({"ZCARD", key("completed")}) << ", failed "
                         << redis.integer({"ZCARD", key("failed")}) << ", dead " << redis.integer({"ZCARD", key("dead")})
                         << "\nwatcher stderr:\n" << watcher.stderr_text();
    EXPECT_EQ(count_keys(redis, key("attempts", "*")), 0u) << "attempt hashes outlived their sorted-set entries";
    EXPECT_EQ(count_keys(redis, key("jobs", "*")), 0u) << "job hashes of finished jobs outlived their last attempt";
    EXPECT_EQ(redis.integer({"EXISTS", key("latest")}), 0) << "latest-attempt links outlived their jobs";
    EXPECT_EQ(redis.hgetall(key("stats")), (std::map<std::string, std::string>{{"completed", "200"}, {"failed", "20"}}));
    // Nothing else is left behind or lost.
    EXPECT_EQ(redis.integer({"LLEN", key("ready")}), 0);
    EXPECT_EQ(redis.integer({"SCARD", key("processing")}), 0);
    EXPECT_EQ(redis.integer({"ZCARD", key("retry")}), 0);
    EXPECT_EQ(worker.terminate(10s), exited_with(0)) << worker.stderr_text();
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
}

TEST(RetentionTrim, CountLimitsKeepTheNewestRecordsWhole) {
    RedisServer server;
    TempDir dir;
    const auto config = write_config(dir, server, "concurrency = 4\n",
                                     "[queue.default]\nmax_completed = 100\nmax_failed = 20\nmax_dead = 5\n");
    RedisClient redis(server.port());
    Process worker = start_onyx("worker", config);
    onyx_background::Client producer({server.url(), kNs});
    producer.enqueue_many(jobs(300, 30));
    wait_until([&] { return redis.hgetall(key("stats")) == std::map<std::string, std::string>{{"completed", "300"}, {"failed", "30"}}; },
               kDeadline, "stats:default to count 300 completed and 30 failed attempts");
    wait_until([&] { return redis.integer({"ZCARD", key("dead")}) == 30; }, kDeadline, "30 dead jobs");

    // The watcher starts only now, so the test knows exactly what it must keep: the newest
    // max_* members of each set (by score, then member, as ZRANGE orders them).
    const auto completed_before = members(redis, key("completed"));
    const auto failed_before = members(redis, key("failed"));
    const auto dead_before = members(redis, key("dead"));
    ASSERT_EQ(completed_before.size(), 300u);
    Process watcher = start_onyx("watcher", config);
    const bool trimmed = try_wait_until(
        [&] {
            return redis.integer({"ZCARD", key("completed")}) <= 100 && redis.integer({"ZCARD", key("failed")}) <= 20 &&
                   redis.integer({"ZCARD", key("dead")}) <= 5;
        },
        kDeadline);
    ASSERT_TRUE(trimmed) << timeout_message(kDeadline, "the watcher to trim to 100/20/5") << "\nwatcher stderr:\n"
                         << watcher.stderr_text();

    const std::vector<std::string> completed_kept(completed_before.end() - 100, completed_before.end());
    const std::vector<std::string> failed_kept(failed_before.end() - 20, failed_before.end());
    const std::vector<std::string> dead_kept(dead_before.end() - 5, dead_before.end());
    EXPECT_EQ(members(redis, key("completed")), completed_kept) << "not the newest 100 completed attempts";
    EXPECT_EQ(members(redis, key("failed")), failed_kept) << "not the newest 20 failed attempts";
    EXPECT_EQ(members(redis, key("dead")), dead_kept) << "not the newest 5 dead jobs";

    // Kept records are whole; trimmed ones are gone with their hashes.
    std::set<std::string> jobs_left;
    for (const auto& aid : completed_kept) {
        const auto attempt = redis.hgetall(key("attempts", aid));
        ASSERT_TRUE(attempt.count("job") && attempt.count("fin")) << "kept attempt " << aid << " lost its hash";
        EXPECT_EQ(redis.integer({"EXISTS", key("jobs", attempt.at("job"))}), 1)
            << "the job of kept completed attempt " << aid << " lost its hash";
        EXPECT_EQ(redis.optional_string({"HGET", key("latest"), attempt.at("job")}), aid)
            << "the job of kept completed attempt " << aid << " lost its latest-attempt link";
        jobs_left.insert(attempt.at("job"));
    }
    for (const auto& aid : failed_kept)
        EXPECT_TRUE(redis.hgetall(key("attempts", aid)).count("err")) << "kept failed attempt " << aid << " lost its hash";
    for (const auto& id : dead_kept) {
        EXPECT_TRUE(redis.hgetall(key("jobs", id)).count("ded")) << "kept dead job " << id << " lost its hash";
        jobs_left.insert(id);
    }
    for (size_t i = 0; i + 100 < completed_before.size(); ++i)
        EXPECT_EQ(redis.integer({"EXISTS", key("attempts", completed_before[i])}), 0) << "trimmed attempt left behind";
    EXPECT_EQ(count_keys(redis, key("attempts", "*")), 120u);
    EXPECT_EQ(count_keys(redis, key("jobs", "*")), jobs_left.size());
    EXPECT_EQ(jobs_left.size(), 105u);
    EXPECT_EQ(redis.integer({"HLEN", key("latest")}), 105) << "latest-attempt links outlived their jobs";
    EXPECT_EQ(redis.hgetall(key("stats")), (std::map<std::string, std::string>{{"completed", "300"}, {"failed", "30"}}));
    EXPECT_EQ(worker.terminate(10s), exited_with(0)) << worker.stderr_text();
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
}

// The bound documented in docs/retries.md for one queue at the default retention (100,000
// completed attempts and their job hashes kept), above an empty Redis.
// Measured: 74.5 MiB after 200,000 jobs and after 1,000,000 (the latest:<q> links included).
constexpr long long kRetainedBoundBytes = 80LL * 1024 * 1024;

size_t retention_jobs() {
    const char* text = std::getenv("ONYX_RETENTION_JOBS");
    if (text == nullptr || *text == '\0') return 1000000;
    return static_cast<size_t>(std::stoull(text));
}

TEST(RetentionSlow, ManyNoopJobsWithDefaultRetentionLeaveRedisMemoryUnderTheDocumentedBound) {
    const size_t total = retention_jobs();
    RedisServer server;
    TempDir dir;
    const auto config = write_config(dir, server, "concurrency = 8\nprefetch = 500\nadaptive_prefetch = false\nclaim_batch = 1000\n", "");
    RedisClient redis(server.port(), 30s);
    const long long baseline = used_memory(redis);
    Process watcher = start_onyx("watcher", config);
    Process worker = start_onyx("worker", config);
    onyx_background::Client producer({server.url(), kNs, 30000});

    // Pipelined batches, keeping the backlog below 100,000 so that what is measured is
    // retention, not a queue of unrun jobs.
    constexpr size_t kChunk = 20000;
    const auto started = Clock::now();
    long long peak = 0;
    for (size_t sent = 0; sent < total;) {
        wait_until([&] { return redis.integer({"LLEN", key("ready")}) < 80000; }, 120s,
                   "the ready backlog to go below 80,000");
        const size_t n = std::min(kChunk, total - sent);
        producer.enqueue_many(std::vector<onyx_background::JobRequest>(n, {"Jobs::Noop"}));
        sent += n;
        peak = std::max(peak, used_memory(redis));
    }
    const auto deadline = std::chrono::milliseconds(static_cast<long long>(60000 + total / 2));  // >= 2,000 jobs/s
    wait_until(
        [&] {
            peak = std::max(peak, used_memory(redis));
            const auto done = redis.optional_string({"HGET", key("stats"), "completed"});
            return done && std::stoull(*done) >= total;
        },
        deadline, std::to_string(total) + " jobs to complete");
    const double run_s = std::chrono::duration<double>(Clock::now() - started).count();
    const long long after_done = used_memory(redis);
    const bool trimmed = try_wait_until([&] { return redis.integer({"ZCARD", key("completed")}) <= 100000; }, 120s);
    ASSERT_TRUE(trimmed) << timeout_message(120s, "the watcher to trim completed:default to 100,000") << ": "
                         << redis.integer({"ZCARD", key("completed")}) << "\nwatcher stderr:\n" << watcher.stderr_text();
    const long long after_trim = used_memory(redis);
    const long long keys = redis.integer({"DBSIZE"});
    std::printf("[ retention ] %zu jobs in %.1f s (%.0f jobs/s); used_memory baseline %lld, peak %lld, after done %lld, "
                "after trim %lld (retained %.1f MiB), %lld keys\n",
                total, run_s, static_cast<double>(total) / run_s, baseline, peak, after_done, after_trim,
                static_cast<double>(after_trim - baseline) / (1024.0 * 1024.0), keys);

    EXPECT_EQ(redis.hgetall(key("stats")), (std::map<std::string, std::string>{{"completed", std::to_string(total)}}));
    EXPECT_EQ(redis.integer({"ZCARD", key("failed")}), 0);
    const size_t kept = std::min<size_t>(total, 100000);
    EXPECT_EQ(redis.integer({"ZCARD", key("completed")}), static_cast<long long>(kept));
    // One attempt hash and one job hash per kept completed attempt, plus a few fixed keys
    // (latest:<q> among them).
    EXPECT_LE(keys, static_cast<long long>(2 * kept + 10));
    EXPECT_LT(after_trim - baseline, kRetainedBoundBytes)
        << "Redis holds " << after_trim - baseline << " bytes more than when empty, above the documented bound";
    EXPECT_EQ(worker.terminate(10s), exited_with(0)) << worker.stderr_text();
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
}

}  // namespace
}  // namespace onyx::test
