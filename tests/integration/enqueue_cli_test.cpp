// `onyx-background enqueue CLS [ARGS] -q Q [--in D | --at T] [--count N]` against a real
// redis-server: it prints the new id, writes the job hash (que cls arg qat [pat]) and RPUSHes
// ready:<q> (or ZADDs scheduled:<q> scored by pat when in the future), and the worker runs it.
// Bad input (invalid JSON, empty class, bad --in / --at, a queue list) exits 2 with a message
// naming the problem and writes nothing to Redis.
#include "support/onyx_daemon.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/redis_client.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace onyx::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kDeadline = 10s;
const std::string kNs = "onyx-background";
constexpr int64_t kHourMs = 3600 * 1000;

// Epoch ms of a UTC calendar time, computed by libc (the oracle for --at).
int64_t utc_ms(int year, int month, int day, int hour, int minute, int second) {
    std::tm t{};
    t.tm_year = year - 1900;
    t.tm_mon = month - 1;
    t.tm_mday = day;
    t.tm_hour = hour;
    t.tm_min = minute;
    t.tm_sec = second;
    return static_cast<int64_t>(timegm(&t)) * 1000;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

bool is_uuid_v4(const std::string& id) {
    static const std::regex v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    return std::regex_match(id, v4);
}

class EnqueueCli : public ::testing::Test {
protected:
    EnqueueCli() { write_file_text(config_, ""); }

    // Runs `onyx-background enqueue <args...> -r <url> --config <empty>`.
    CommandResult enqueue(std::vector<std::string> args) {
        std::vector<std::string> argv = {std::string(paths::onyx_bin), "enqueue"};
        argv.insert(argv.end(), args.begin(), args.end());
        argv.insert(argv.end(), {"-r", server_.url(), "--config", config_.string()});
        return run_command(argv);
    }

    // Enqueues and returns the one id printed, asserting a clean exit.
    std::string enqueue_one(std::vector<std::string> args) {
        const CommandResult r = enqueue(std::move(args));
        EXPECT_EQ(r.exit_code(), 0) << r.stderr_text;
        const auto ids = lines_of(r.stdout_text);
        EXPECT_EQ(ids.size(), 1u) << r.stdout_text;
        if (ids.size() != 1) return "<none>";
        EXPECT_TRUE(is_uuid_v4(ids.front())) << ids.front();
        return ids.front();
    }

    Process start_worker(const std::string& queue) {
        return Process({std::string(paths::onyx_bin), "worker", "-r", server_.url(), "--config", config_.string(),
                        "--plugins", std::string(paths::example_plugin_dir), "-q", queue, "-c", "2",
                        "--log-level", "debug"});
    }

    // Waits for one completed attempt of `id` in completed:<queue> and checks it.
    void wait_completed(const std::string& queue, const std::string& id) {
        wait_until(
            [&] {
                for (const auto& aid : redis_.strings({"ZRANGE", kNs + ":completed:" + queue, "0", "-1"}))
                    if (redis_.optional_string({"HGET", kNs + ":attempts:" + aid, "job"}) == id) return true;
                return false;
            },
            kDeadline, "job " + id + " to complete in queue " + queue);
    }

    // Bad input: exit 2, `problem` named on stderr, nothing on stdout, nothing in Redis.
    void expect_rejected(std::vector<std::string> args, const std::string& problem) {
        const CommandResult r = enqueue(args);
        std::string shown;
        for (const auto& a : args) shown += "'" + a + "' ";
        EXPECT_EQ(r.exit_code(), 2) << shown << "\n" << r.stderr_text;
        EXPECT_NE(r.stderr_text.find(problem), std::string::npos)
            << shown << ": stderr does not name the problem '" << problem << "':\n" << r.stderr_text;
        EXPECT_EQ(r.stdout_text, "") << shown;
        EXPECT_EQ(redis_.strings({"KEYS", "*"}), std::vector<std::string>{}) << shown << " wrote to Redis";
    }

    RedisServer server_;
    RedisClient redis_{server_.port()};
    TempDir tmp_{"onyx-witest"};
    std::filesystem::path config_ = tmp_.file("empty.ini");
};

TEST_F(EnqueueCli, PrintsTheIdWritesTheJobHashAndTheJobRuns) {
    const int64_t before = wall_ms();
    const std::string id = enqueue_one({"Jobs::Nap", R"({"sleep":0})", "-q", "mail.high"});
    const int64_t after = wall_ms();
    const auto job = redis_.hgetall(kNs + ":jobs:" + id);
    EXPECT_EQ(job.at("que"), "mail.high");
    EXPECT_EQ(job.at("cls"), "Jobs::Nap");
    EXPECT_EQ(job.at("arg"), R"({"sleep":0})");
    ASSERT_TRUE(job.count("qat"));
    EXPECT_GE(std::stoll(job.at("qat")), before);
    EXPECT_LE(std::stoll(job.at("qat")), after);
    EXPECT_EQ(job.count("pat"), 0u) << "an immediate job has no pat";
    EXPECT_EQ(redis_.strings({"LRANGE", kNs + ":ready:mail.high", "0", "-1"}), std::vector<std::string>{id});
    EXPECT_EQ(redis_.integer({"SISMEMBER", kNs + ":queues", "mail.high"}), 1);

    Process worker = start_worker("mail.high");
    wait_completed("mail.high", id);
    EXPECT_TRUE(worker.is_running()) << worker.stderr_text();
}

TEST_F(EnqueueCli, DefaultsAreQueueDefaultAndEmptyObjectArguments) {
    const std::string id = enqueue_one({"Jobs::Noop"});
    const auto job = redis_.hgetall(kNs + ":jobs:" + id);
    EXPECT_EQ(job.at("que"), "default");
    EXPECT_EQ(job.at("arg"), "{}");
    EXPECT_EQ(redis_.strings({"LRANGE", kNs + ":ready:default", "0", "-1"}), std::vector<std::string>{id});
}

TEST_F(EnqueueCli, CountEnqueuesDistinctIdsInOrder) {
    const CommandResult r = enqueue({"Jobs::Noop", "{}", "--count", "3", "-q", "café"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    const auto ids = lines_of(r.stdout_text);
    ASSERT_EQ(ids.size(), 3u) << r.stdout_text;
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 3u);
    EXPECT_EQ(redis_.strings({"LRANGE", kNs + ":ready:café", "0", "-1"}), ids);
}

TEST_F(EnqueueCli, InOneHourIsScheduledAtPat) {
    const int64_t before = wall_ms();
    const std::string id = enqueue_one({"Jobs::Noop", "{}", "--in", "1h"});
    const int64_t after = wall_ms();
    const auto job = redis_.hgetall(kNs + ":jobs:" + id);
    ASSERT_TRUE(job.count("pat")) << "a delayed job has pat";
    const int64_t pat = std::stoll(job.at("pat"));
    EXPECT_GE(pat, before + kHourMs);
    EXPECT_LE(pat, after + kHourMs);
    EXPECT_EQ(redis_.get_string({"ZSCORE", kNs + ":scheduled:default", id}), job.at("pat"));
    EXPECT_EQ(redis_.integer({"EXISTS", kNs + ":ready:default"}), 0) << "a delayed job must not be ready";
}

TEST_F(EnqueueCli, AtIso8601IsScheduledAtThatInstant) {
    const std::string id = enqueue_one({"Jobs::Noop", "{}", "-q", "later", "--at", "2099-12-01T10:30:15Z"});
    const std::string pat = std::to_string(utc_ms(2099, 12, 1, 10, 30, 15));
    EXPECT_EQ(redis_.optional_string({"HGET", kNs + ":jobs:" + id, "pat"}), pat);
    EXPECT_EQ(redis_.get_string({"ZSCORE", kNs + ":scheduled:later", id}), pat);
    EXPECT_EQ(redis_.integer({"EXISTS", kNs + ":ready:later"}), 0);
}

TEST_F(EnqueueCli, AtInThePastGoesToReadyAtOnceAndRuns) {
    const std::string iso = enqueue_one({"Jobs::Noop", "{}", "--at", "2001-02-03T04:05:06Z"});
    const std::string epoch = enqueue_one({"Jobs::Noop", "{}", "--at", "1000"});
    EXPECT_EQ(redis_.strings({"LRANGE", kNs + ":ready:default", "0", "-1"}), (std::vector<std::string>{iso, epoch}));
    EXPECT_EQ(redis_.integer({"EXISTS", kNs + ":scheduled:default"}), 0);
    Process worker = start_worker("default");  // no watcher: they must not need promotion
    wait_completed("default", iso);
    wait_completed("default", epoch);
}

TEST_F(EnqueueCli, InvalidJsonArgumentsAreRejected) {
    expect_rejected({"Jobs::Noop", R"({"sleep": )"}, "invalid JSON");
    expect_rejected({"Jobs::Noop", "not json"}, "invalid JSON");
}

TEST_F(EnqueueCli, EmptyClassIsRejected) { expect_rejected({"", "{}"}, "job class is empty"); }

TEST_F(EnqueueCli, BadInIsRejected) {
    expect_rejected({"Jobs::Noop", "{}", "--in", "abc"}, "--in 'abc'");
    expect_rejected({"Jobs::Noop", "{}", "--in", "5 parsecs"}, "--in '5 parsecs'");
}

TEST_F(EnqueueCli, BadAtIsRejected) {
    expect_rejected({"Jobs::Noop", "{}", "--at", "nonsense"}, "--at 'nonsense'");
    expect_rejected({"Jobs::Noop", "{}", "--at", "2026-13-01T00:00:00Z"}, "--at");
}

TEST_F(EnqueueCli, InAndAtTogetherAreRejected) {
    expect_rejected({"Jobs::Noop", "{}", "--in", "1h", "--at", "2099-01-01T00:00:00Z"}, "exclude");
}

TEST_F(EnqueueCli, QueueWithACommaIsRejected) {
    expect_rejected({"Jobs::Noop", "{}", "-q", "a,b"}, "queue");
    expect_rejected({"Jobs::Noop", "{}", "-q", "mail,"}, "queue");
}

TEST_F(EnqueueCli, BadCountAndRetriesAreRejected) {
    expect_rejected({"Jobs::Noop", "{}", "--count", "0"}, "--count");
    expect_rejected({"Jobs::Noop", "{}", "--retries", "-1"}, "retries");
}

TEST_F(EnqueueCli, UnreachableRedisFailsNamingTheEndpoint) {
    server_.kill9();
    const CommandResult r = enqueue({"Jobs::Noop"});
    EXPECT_NE(r.exit_code(), 0);
    EXPECT_EQ(r.stdout_text, "") << "no id may be printed for a job that was not written";
    EXPECT_NE(r.stderr_text.find(std::to_string(server_.port())), std::string::npos) << r.stderr_text;
}

}  // namespace
}  // namespace onyx::test
