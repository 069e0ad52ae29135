// Golden output of every operator subcommand against a real redis-server holding a known
// state in our layout (registry, queues set, dead and retry sets, linked attempts), written
// with plain commands. Tables are compared as exact text after normalising times: ISO 8601
// stamps become <TIME>, ages ("3s ago") <AGE>, and, in tables that hold times, runs of
// blanks one double blank (alignment itself is checked by the status golden and unit tests).
// `status --json` is parsed with rapidjson and checked field by field.
#include "support/onyx_daemon.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/redis_client.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <chrono>
#include <regex>
#include <string>
#include <vector>

using namespace std::string_literals;

namespace onyx::test {
namespace {

const std::string kNs = "onyx-background:";
constexpr int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00.000Z

std::string ms(int64_t value) { return std::to_string(value); }

// ISO stamps -> <TIME>, ages -> <AGE>; with `squeeze`, runs of 2+ blanks -> two blanks.
std::string normalise(const std::string& text, bool squeeze) {
    static const std::regex iso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
    static const std::regex age(R"(\d+(ms|s|m|h|d)(\d+(ms|s|m|h|d))? ago|in \d+(ms|s|m|h|d)(\d+(ms|s|m|h|d))?)");
    static const std::regex blanks(" {2,}");
    std::string out = std::regex_replace(text, iso, "<TIME>");
    out = std::regex_replace(out, age, "<AGE>");
    return squeeze ? std::regex_replace(out, blanks, "  ") : out;
}

class CliGolden : public ::testing::Test {
protected:
    CliGolden() {
        write_file_text(config_, "");
        write_state();
    }

    CommandResult cli(std::vector<std::string> args) {
        std::vector<std::string> argv = {std::string(paths::onyx_bin), args.front(), "-r", server_.url(),
                                         "--config", config_.string()};
        argv.insert(argv.end(), args.begin() + 1, args.end());
        return run_command(argv);
    }

    void hset(const std::string& key, std::vector<std::string> fields) {
        fields.insert(fields.begin(), {"HSET", key});
        redis_.command(fields);
    }

    void write_jobs() {
        hset(kNs + "jobs:j1", {"que", "alpha", "cls", "Jobs::Noop", "arg", "{}", "qat", ms(kT0)});
        hset(kNs + "jobs:j2", {"que", "alpha", "cls", "Jobs::Nap", "arg", R"({"sleep":1})", "qat", ms(kT0), "pat",
                               ms(kT0 + 3600000)});
        hset(kNs + "jobs:j3", {"que", "alpha", "cls", "Jobs::Fail", "arg", R"({"n":1})", "qat", ms(kT0), "fal", "3",
                               "rty", "2", "lat", "a3c", "ded", ms(kT0 + 3000)});
        hset(kNs + "jobs:j4", {"que", "beta", "cls", "Jobs::Noop", "arg", "{}", "qat", ms(kT0), "lat", "a4"});
        hset(kNs + "jobs:j5", {"que", "beta", "cls", "Jobs::Fail", "arg", "{}", "qat", ms(kT0), "fal", "1", "lat", "a5"});
    }

    void write_attempts() {
        hset(kNs + "attempts:a3a", {"sta", ms(kT0 + 1000), "job", "j3", "wrk", "5", "que", "alpha", "wid", "w1", "fin",
                                    ms(kT0 + 1001), "tim", "1.250", "err", "std::runtime_error", "msg", "boom 1"});
        hset(kNs + "attempts:a3b", {"sta", ms(kT0 + 2000), "job", "j3", "wrk", "5", "que", "alpha", "wid", "w1",
                                    "err", "Worker Timeout", "msg", "worker w1 lost its lease", "prv", "a3a"});
        hset(kNs + "attempts:a3c", {"sta", ms(kT0 + 2500), "job", "j3", "wrk", "5", "que", "alpha", "wid", "w1", "fin",
                                    ms(kT0 + 2502), "tim", "2.500", "err", "std::runtime_error", "msg", "boom 3",
                                    "prv", "a3b"});
        hset(kNs + "attempts:a4", {"sta", ms(kT0 + 10), "job", "j4", "wrk", "6", "que", "beta", "wid", "w1", "fin",
                                   ms(kT0 + 11), "tim", "0.500"});
        hset(kNs + "attempts:a5", {"sta", ms(kT0 + 20), "job", "j5", "wrk", "6", "que", "beta", "wid", "w1", "fin",
                                   ms(kT0 + 21), "tim", "0.750", "err", "ArgumentError", "msg", "bad"});
    }

    void write_sets() {
        redis_.command({"SADD", kNs + "queues", "alpha", "beta"});
        redis_.command({"RPUSH", kNs + "ready:alpha", "j1"});
        redis_.command({"ZADD", kNs + "scheduled:alpha", ms(kT0 + 3600000), "j2"});
        redis_.command({"ZADD", kNs + "failed:alpha", ms(kT0 + 1001), "a3a", ms(kT0 + 2001), "a3b", ms(kT0 + 2502), "a3c"});
        redis_.command({"ZADD", kNs + "dead:alpha", ms(kT0 + 3000), "j3"});
        redis_.command({"ZADD", kNs + "completed:beta", ms(kT0 + 11), "a4"});
        redis_.command({"ZADD", kNs + "failed:beta", ms(kT0 + 21), "a5"});
        redis_.command({"ZADD", kNs + "retry:beta", ms(wall_ms() + 3600000), "j5"});
        redis_.command({"HSET", kNs + "stats:alpha", "completed", "7", "failed", "3"});
        redis_.command({"HSET", kNs + "stats:beta", "completed", "1", "failed", "1"});
        redis_.command({"SADD", kNs + "paused", "beta"});
    }

    void write_registry() {
        redis_.command({"ZADD", kNs + "workers", ms(wall_ms() + 600000), "w1", ms(wall_ms() - 60000), "w-gone"});
        hset(kNs + "worker:w1", {"host", "h1", "pid", "42", "queues", "alpha,beta", "concurrency", "4", "started",
                                 ms(kT0), "beat", ms(wall_ms()), "busy", "1", "done", "17", "state", "running",
                                 "version", "0.1.0"});
        hset(kNs + "worker:w-gone", {"host", "h2", "pid", "7", "queues", "alpha", "concurrency", "9"});
    }

    void write_state() {
        write_jobs();
        write_attempts();
        write_sets();
        write_registry();
    }

    RedisServer server_;
    RedisClient redis_{server_.port()};
    TempDir tmp_{"onyx-cli-golden"};
    std::filesystem::path config_ = tmp_.file("empty.ini");
};

TEST_F(CliGolden, Status) {
    const auto r = cli({"status"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    EXPECT_EQ(r.stdout_text, "queue  workers  fibers  jps  ready  scheduled  processing  completed  failed  dead  retries  paused  total_completed  total_failed\n"
              "alpha        1       4    0      1          1           0          0       3     1        0      no                7             3\n"
              "beta         1       4    0      0          0           0          1       1     0        1     yes                1             1\n") << r.stdout_text;
}

TEST_F(CliGolden, StatusVerboseFooter) {
    const auto r = cli({"status", "-v", "-q", "beta"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    const std::string text = std::regex_replace(r.stdout_text, std::regex(R"(elapsed \d+ ms)"), "elapsed N ms");
    EXPECT_EQ(text, "queue  workers  fibers  jps  ready  scheduled  processing  completed  failed  dead  retries  paused  total_completed  total_failed\n"
              "beta         1       4    0      0          0           0          1       1     0        1     yes                1             1\n"
              "\n"
              "elapsed N ms, redis " + server_.url() +
              ", namespace onyx-background\n"
              "queues (flag): beta\n"
              "workers (registry): 1, fibers 4\n") << text;
}

TEST_F(CliGolden, Workers) {
    const auto r = cli({"workers"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    EXPECT_EQ(normalise(r.stdout_text, true), "worker  host  pid  queues  busy  done  state  started  beat\n"
              "w1  h1  42  alpha,beta  1/4  17  running  <TIME>  <AGE>\n") << r.stdout_text;
}

TEST_F(CliGolden, JobWithLinkedAttempts) {
    const auto r = cli({"job", "j3"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    EXPECT_EQ(normalise(r.stdout_text, true), "job  j3\n"
              "queue  alpha\n"
              "class  Jobs::Fail\n"
              "args  {\"n\":1}\n"
              "state  dead\n"
              "enqueued  <TIME> (<AGE>)\n"
              "run at  -\n"
              "failures  3 (retry limit 2)\n"
              "timeout  -\n"
              "dead since  <TIME> (<AGE>)\n"
              "\n"
              "#  attempt  outcome  started  duration  wrk  error  message\n"
              "1  a3a  failed  <TIME>  1.250ms  5  std::runtime_error  boom 1\n"
              "2  a3b  timed out  <TIME>  -  5  Worker Timeout  worker w1 lost its lease\n"
              "3  a3c  failed  <TIME>  2.500ms  5  std::runtime_error  boom 3\n") << r.stdout_text;
}

TEST_F(CliGolden, Failed) {
    const auto r = cli({"failed"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    EXPECT_EQ(normalise(r.stdout_text, true), "failed  queue  job  class  error  message  attempt\n"
              "<AGE>  alpha  j3  Jobs::Fail  std::runtime_error  boom 3  a3c\n"
              "<AGE>  alpha  j3  Jobs::Fail  Worker Timeout  worker w1 lost its lease  a3b\n"
              "<AGE>  alpha  j3  Jobs::Fail  std::runtime_error  boom 1  a3a\n"
              "<AGE>  beta  j5  Jobs::Fail  ArgumentError  bad  a5\n") << r.stdout_text;
    const auto limited = cli({"failed", "-q", "alpha", "--limit", "1"});
    EXPECT_EQ(normalise(limited.stdout_text, true), "failed  queue  job  class  error  message  attempt\n"
              "<AGE>  alpha  j3  Jobs::Fail  std::runtime_error  boom 3  a3c\n") << limited.stdout_text;
    const auto recent = cli({"failed", "--since", "1h"});
    EXPECT_EQ(normalise(recent.stdout_text, true), "failed  queue  job  class  error  message  attempt\n");
}

TEST_F(CliGolden, Dead) {
    const auto r = cli({"dead"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    EXPECT_EQ(normalise(r.stdout_text, true), "died  queue  job  class  failures  error  message\n"
              "<AGE>  alpha  j3  Jobs::Fail  3  std::runtime_error  boom 3\n") << r.stdout_text;
}

TEST_F(CliGolden, PurgeKeepsTotals) {
    const auto r = cli({"purge", "1d"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    EXPECT_EQ(r.stdout_text, "queue  completed  failed  dead\n"
              "alpha          0       3     1\n"
              "beta           1       1     0\n") << r.stdout_text;
    EXPECT_EQ(redis_.integer({"EXISTS", kNs + "attempts:a3a", kNs + "attempts:a4", kNs + "jobs:j3", kNs + "jobs:j4"}), 0);
    EXPECT_EQ(redis_.integer({"EXISTS", kNs + "jobs:j5", kNs + "jobs:j1"}), 2) << "waiting jobs are kept";
    EXPECT_EQ(redis_.get_string({"HGET", kNs + "stats:alpha", "failed"}), "3");
    const auto status = cli({"status"});
    EXPECT_EQ(status.stdout_text, "queue  workers  fibers  jps  ready  scheduled  processing  completed  failed  dead  retries  paused  total_completed  total_failed\n"
              "alpha        1       4    0      1          1           0          0       0     0        0      no                7             3\n"
              "beta         1       4    0      0          0           0          0       0     0        1     yes                1             1\n") << status.stdout_text;
}

TEST_F(CliGolden, PauseAndResumeShowInStatus) {
    EXPECT_EQ(cli({"pause", "alpha"}).stdout_text, "queue alpha: paused\n");
    EXPECT_EQ(cli({"pause", "alpha"}).stdout_text, "queue alpha: already paused\n");
    EXPECT_EQ(redis_.strings({"SMEMBERS", kNs + "paused"}).size(), 2u);
    EXPECT_EQ(cli({"resume", "-q", "alpha,beta"}).stdout_text, "queue alpha: resumed\nqueue beta: resumed\n");
    EXPECT_EQ(cli({"resume", "beta"}).stdout_text, "queue beta: was not paused\n");
    EXPECT_EQ(redis_.integer({"EXISTS", kNs + "paused"}), 0);
    EXPECT_EQ(cli({"pause"}).exit_code(), 2);
}

TEST_F(CliGolden, RetryAndDequeueMoveWhatTheySay) {
    auto r = cli({"retry", "j3"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    EXPECT_EQ(r.stdout_text, "job j3: dead -> ready:alpha (failures reset to 0)\n");
    EXPECT_EQ(redis_.strings({"LRANGE", kNs + "ready:alpha", "0", "-1"}), (std::vector<std::string>{"j1", "j3"}));
    EXPECT_EQ(redis_.get_string({"HGET", kNs + "jobs:j3", "fal"}), "0");
    EXPECT_TRUE(redis_.command({"HGET", kNs + "jobs:j3", "ded"}).is_nil());
    r = cli({"retry", "j5"});
    EXPECT_EQ(r.stdout_text, "job j5: retry -> ready:beta\n");
    EXPECT_EQ(redis_.get_string({"HGET", kNs + "jobs:j5", "fal"}), "1");
    r = cli({"retry", "j5"});
    EXPECT_EQ(r.exit_code(), 1);
    EXPECT_EQ(r.stderr_text, "onyx-background retry: job j5 (queue beta) is neither dead nor waiting for a retry\n");
    EXPECT_EQ(cli({"retry", "nope"}).stderr_text, "onyx-background retry: job nope not found\n");
    r = cli({"dequeue", "j2"});
    EXPECT_EQ(r.stdout_text, "job j2: removed from scheduled:alpha and deleted\n");
    EXPECT_EQ(redis_.integer({"EXISTS", kNs + "jobs:j2", kNs + "scheduled:alpha"}), 0);
    r = cli({"dequeue", "j4"});
    EXPECT_EQ(r.exit_code(), 1);
    EXPECT_NE(r.stderr_text.find("already claimed"), std::string::npos) << r.stderr_text;
}

TEST_F(CliGolden, RetryAllOfAQueue) {
    redis_.command({"ZADD", kNs + "dead:alpha", ms(kT0 + 4000), "gone"});  // no job hash
    const auto r = cli({"retry", "--all", "-q", "alpha"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    EXPECT_EQ(r.stdout_text, "queue alpha: 1 dead jobs -> ready, 1 without a job hash dropped\n");
    EXPECT_EQ(redis_.integer({"EXISTS", kNs + "dead:alpha"}), 0);
    EXPECT_EQ(cli({"retry", "--all"}).exit_code(), 2);
    EXPECT_EQ(cli({"retry"}).exit_code(), 2);
}

TEST_F(CliGolden, StatusJsonRoundTrips) {
    const auto r = cli({"status", "--json"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    rapidjson::Document doc;
    doc.Parse(r.stdout_text.c_str());
    ASSERT_FALSE(doc.HasParseError()) << r.stdout_text;
    EXPECT_GE(doc["time_ms"].GetInt64(), kT0);
    EXPECT_EQ(std::string(doc["redis"].GetString()), server_.url());
    EXPECT_EQ(std::string(doc["namespace"].GetString()), "onyx-background");
    EXPECT_EQ(std::string(doc["queue_source"].GetString()), "queues-set");
    EXPECT_EQ(std::string(doc["worker_source"].GetString()), "registry");
    EXPECT_EQ(doc["workers"].GetInt64(), 1);
    EXPECT_EQ(doc["fibers"].GetInt64(), 4);
    ASSERT_EQ(doc["queues"].Size(), 2u);
    const auto& beta = doc["queues"][1];
    EXPECT_EQ(std::string(beta["queue"].GetString()), "beta");
    const std::pair<const char*, int64_t> expected[] = {
        {"workers", 1}, {"fibers", 4}, {"jps", 0}, {"ready", 0}, {"scheduled", 0}, {"processing", 0},
        {"completed", 1}, {"failed", 1}, {"dead", 0}, {"retries", 1}, {"total_completed", 1}, {"total_failed", 1}};
    for (const auto& [name, value] : expected) EXPECT_EQ(beta[name].GetInt64(), value) << name;
    EXPECT_TRUE(beta["paused"].GetBool());
}

TEST_F(CliGolden, JobJsonHasExactTimes) {
    const auto r = cli({"job", "j3", "--json"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    rapidjson::Document doc;
    doc.Parse(r.stdout_text.c_str());
    ASSERT_FALSE(doc.HasParseError()) << r.stdout_text;
    EXPECT_EQ(doc["enqueued_ms"].GetInt64(), kT0);
    EXPECT_EQ(doc["dead_ms"].GetInt64(), kT0 + 3000);
    EXPECT_EQ(std::string(doc["state"].GetString()), "dead");
    ASSERT_EQ(doc["attempts"].Size(), 3u);
    EXPECT_EQ(doc["attempts"][0]["started_ms"].GetInt64(), kT0 + 1000);
    EXPECT_DOUBLE_EQ(doc["attempts"][2]["processing_ms"].GetDouble(), 2.5);
    EXPECT_TRUE(doc["attempts"][1]["finished_ms"].IsNull());
}

TEST_F(CliGolden, WatchRedrawsUntilInterrupted) {
    Process watch({std::string(paths::onyx_bin), "status", "-r", server_.url(), "--config", config_.string(), "-q",
                   "beta", "--watch", "0.2"});
    wait_until([&] { return watch.stdout_text().find("every 0.2s") != watch.stdout_text().rfind("every 0.2s"); },
               std::chrono::seconds(10), "two frames of status --watch");
    watch.send_signal(SIGINT);
    EXPECT_EQ(watch.wait_exit_or_throw(std::chrono::seconds(5)), exited_with(0));
    const std::string first = watch.stdout_text().substr(0, watch.stdout_text().find("\n\nevery"));
    EXPECT_EQ(normalise(first, false),
              "every 0.2s: <TIME>\n\n"
              "queue  workers  fibers  jps  ready  scheduled  processing  completed  failed  dead  retries  paused  total_completed  total_failed\n"
              "beta         1       4    0      0          0           0          1       1     0        1     yes                1             1")
        << watch.stdout_text();
}

TEST_F(CliGolden, NotFoundAndUsageExitCodes) {
    auto r = cli({"job", "missing"});
    EXPECT_EQ(r.exit_code(), 1);
    EXPECT_EQ(r.stderr_text, "onyx-background job: job missing not found\n");
    EXPECT_EQ(cli({"dequeue", "missing"}).exit_code(), 1);
    EXPECT_EQ(cli({"failed", "--since", "soon"}).exit_code(), 2);
    EXPECT_EQ(cli({"purge", "forever"}).exit_code(), 2);
    EXPECT_EQ(cli({"status", "--watch", "0"}).exit_code(), 2);
}

// A job key a producer wrote with SET: the worker failed its attempt as InvalidJob (with the
// message it writes). None of `job`, `dequeue`, `retry`, `failed`, `dead` passes on Redis's
// WRONGTYPE text as its own.
TEST_F(CliGolden, JobKeyThatIsNotAHashIsNamedWithWhatItHolds) {
    redis_.command({"SET", kNs + "jobs:js", "x"});
    hset(kNs + "attempts:a6", {"sta", ms(kT0 + 30), "job", "js", "wrk", "6", "que", "gamma", "wid", "w1", "fin",
                               ms(kT0 + 31), "tim", "0.010", "err", "InvalidJob", "msg",
                               "onyx-background:jobs:js is not a job hash (WRONGTYPE Operation against a key "
                               "holding the wrong kind of value)"});
    redis_.command({"ZADD", kNs + "failed:gamma", ms(kT0 + 31), "a6"});
    redis_.command({"ZADD", kNs + "dead:gamma", ms(kT0 + 31), "js"});

    const auto job = cli({"job", "js"});
    EXPECT_EQ(job.exit_code(), 1);
    EXPECT_EQ(job.stderr_text, "onyx-background job: onyx-background:jobs:js is a string, not a job hash\n");
    EXPECT_EQ(job.stdout_text, "");
    redis_.command({"DEL", kNs + "jobs:jl"});
    redis_.command({"RPUSH", kNs + "jobs:jl", "x"});
    EXPECT_EQ(cli({"job", "jl", "--json"}).stderr_text,
              "onyx-background job: onyx-background:jobs:jl is a list, not a job hash\n");
    // dequeue and retry name it too, and leave it alone.
    for (const char* command : {"dequeue", "retry"}) {
        const auto r = cli({command, "js"});
        EXPECT_EQ(r.exit_code(), 1) << command;
        EXPECT_EQ(r.stderr_text, std::string("onyx-background ") + command +
                                     ": onyx-background:jobs:js is a string, not a job hash\n");
    }
    EXPECT_EQ(redis_.get_string({"GET", kNs + "jobs:js"}), "x");
    EXPECT_EQ(redis_.integer({"ZCARD", kNs + "dead:gamma"}), 1);

    const auto failed = cli({"failed", "-q", "gamma"});
    ASSERT_EQ(failed.exit_code(), 0) << failed.stderr_text;
    EXPECT_EQ(normalise(failed.stdout_text, true), "failed  queue  job  class  error  message  attempt\n"
              "<AGE>  gamma  js  (not a hash)  InvalidJob  onyx-background:jobs:js is not a job hash (WRONGTYPE Operat…  a6\n")
        << failed.stdout_text;
    const auto dead = cli({"dead", "-q", "gamma"});
    ASSERT_EQ(dead.exit_code(), 0) << dead.stderr_text;
    EXPECT_EQ(normalise(dead.stdout_text, true), "died  queue  job  class  failures  error  message\n"
              "<AGE>  gamma  js  (not a hash)  0  -  -\n") << dead.stdout_text;

    for (const char* command : {"failed", "dead"}) {
        const auto r = cli({command, "-q", "gamma", "--json"});
        ASSERT_EQ(r.exit_code(), 0) << command << ": " << r.stderr_text;
        rapidjson::Document doc;
        doc.Parse(r.stdout_text.c_str());
        ASSERT_FALSE(doc.HasParseError()) << r.stdout_text;
        ASSERT_EQ(doc[command].Size(), 1u) << r.stdout_text;
        EXPECT_TRUE(doc[command][0]["class"].IsNull()) << r.stdout_text;
    }
}

// Job data is written by any producer and may hold any bytes: here a class, an error class and
// messages with NUL, ESC sequences and 0xff (not UTF-8), and a worker host with an OSC title
// sequence. Every row is still printed (a NUL cut the output short before), the odd bytes show
// as \xNN, and --json is valid UTF-8 (0xff as U+FFFD, NUL and ESC as \u escapes).
class CliGoldenOddBytes : public CliGolden {
protected:
    CliGoldenOddBytes() {
        hset(kNs + "jobs:jb", {"que", "odd", "cls", kClass, "arg", "{}", "qat", ms(kT0), "fal", "2", "lat", "ab2",
                               "ded", ms(kT0 + 5000)});
        hset(kNs + "jobs:jc", {"que", "odd", "cls", "Jobs::Plain", "arg", "{}", "qat", ms(kT0), "fal", "1", "ded",
                               ms(kT0 + 100)});
        hset(kNs + "attempts:ab1", {"sta", ms(kT0 + 4000), "job", "jb", "wrk", "7", "que", "odd", "wid", "w1", "fin",
                                    ms(kT0 + 4001), "tim", "1.000", "err", kError, "msg", "bad\0byte \x1b[2J\xff end"s});
        hset(kNs + "attempts:ab2", {"sta", ms(kT0 + 4500), "job", "jb", "wrk", "7", "que", "odd", "wid", "w1", "fin",
                                    ms(kT0 + 4501), "tim", "2.000", "err", kError, "msg", "again\0\xff"s, "prv", "ab1"});
        redis_.command({"ZADD", kNs + "failed:odd", ms(kT0 + 4001), "ab1", ms(kT0 + 4501), "ab2"});
        redis_.command({"ZADD", kNs + "dead:odd", ms(kT0 + 5000), "jb", ms(kT0 + 100), "jc"});
        hset(kNs + "worker:w1", {"host", "h\0\x1b]0;pwned\x07"s});
    }

    // Parses `text` as JSON that must be valid UTF-8 (rapidjson checks the encoding).
    static rapidjson::Document parse_utf8_json(const std::string& text) {
        rapidjson::Document doc;
        doc.Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
        EXPECT_FALSE(doc.HasParseError()) << rapidjson::GetParseError_En(doc.GetParseError()) << " at "
                                          << doc.GetErrorOffset() << ": " << text;
        return doc;
    }

    static std::string text_of(const rapidjson::Value& v) { return std::string(v.GetString(), v.GetStringLength()); }

    const std::string kClass = "Jobs::No\0op\xff"s;
    const std::string kError = "Err\x1b[31m"s;
};

TEST_F(CliGoldenOddBytes, FailedAndDeadPrintEveryRowEscaped) {
    const auto failed = cli({"failed", "-q", "odd"});
    ASSERT_EQ(failed.exit_code(), 0) << failed.stderr_text;
    EXPECT_EQ(normalise(failed.stdout_text, true), "failed  queue  job  class  error  message  attempt\n"
              "<AGE>  odd  jb  Jobs::No\\x00op\\xff  Err\\x1b[31m  again\\x00\\xff  ab2\n"
              "<AGE>  odd  jb  Jobs::No\\x00op\\xff  Err\\x1b[31m  bad\\x00byte \\x1b[2J\\xff end  ab1\n")
        << failed.stdout_text;
    const auto dead = cli({"dead", "-q", "odd"});
    ASSERT_EQ(dead.exit_code(), 0) << dead.stderr_text;
    EXPECT_EQ(normalise(dead.stdout_text, true), "died  queue  job  class  failures  error  message\n"
              "<AGE>  odd  jb  Jobs::No\\x00op\\xff  2  Err\\x1b[31m  again\\x00\\xff\n"
              "<AGE>  odd  jc  Jobs::Plain  1  -  -\n") << dead.stdout_text;
}

TEST_F(CliGoldenOddBytes, JobAndWorkersEscapeFieldsAndCells) {
    const auto job = cli({"job", "jb"});
    ASSERT_EQ(job.exit_code(), 0) << job.stderr_text;
    EXPECT_EQ(normalise(job.stdout_text, true), "job  jb\n"
              "queue  odd\n"
              "class  Jobs::No\\x00op\\xff\n"
              "args  {}\n"
              "state  dead\n"
              "enqueued  <TIME> (<AGE>)\n"
              "run at  -\n"
              "failures  2\n"
              "timeout  -\n"
              "dead since  <TIME> (<AGE>)\n"
              "\n"
              "#  attempt  outcome  started  duration  wrk  error  message\n"
              "1  ab1  failed  <TIME>  1.000ms  7  Err\\x1b[31m  bad\\x00byte \\x1b[2J\\xff end\n"
              "2  ab2  failed  <TIME>  2.000ms  7  Err\\x1b[31m  again\\x00\\xff\n") << job.stdout_text;
    const auto workers = cli({"workers"});
    ASSERT_EQ(workers.exit_code(), 0) << workers.stderr_text;
    EXPECT_EQ(normalise(workers.stdout_text, true), "worker  host  pid  queues  busy  done  state  started  beat\n"
              "w1  h\\x00\\x1b]0;pwned\\x07  42  alpha,beta  1/4  17  running  <TIME>  <AGE>\n") << workers.stdout_text;
}

TEST_F(CliGoldenOddBytes, RetryNamesAQueueWithOddBytesEscaped) {
    const std::string queue = "q\0\x1b"s;
    hset(kNs + "jobs:jq", {"que", queue, "cls", "Jobs::Plain", "arg", "{}", "qat", ms(kT0), "fal", "1"});
    redis_.command({"ZADD", kNs + "dead:" + queue, ms(kT0), "jq"});
    auto r = cli({"retry", "jq"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    EXPECT_EQ(r.stdout_text, "job jq: dead -> ready:q\\x00\\x1b (failures reset to 0)\n");
    r = cli({"retry", "jq"});
    EXPECT_EQ(r.exit_code(), 1);
    EXPECT_EQ(r.stderr_text, "onyx-background retry: job jq (queue q\\x00\\x1b) is neither dead nor waiting for a retry\n");
}

TEST_F(CliGoldenOddBytes, JsonIsValidUtf8WithEscapes) {
    for (const char* command : {"failed", "dead"}) {
        const auto r = cli({command, "-q", "odd", "--json"});
        ASSERT_EQ(r.exit_code(), 0) << command << ": " << r.stderr_text;
        const auto doc = parse_utf8_json(r.stdout_text);
        ASSERT_TRUE(doc.IsObject()) << r.stdout_text;
        ASSERT_EQ(doc[command].Size(), 2u) << r.stdout_text;
        EXPECT_EQ(text_of(doc[command][0]["class"]), "Jobs::No\0op\uFFFD"s) << command;
        EXPECT_EQ(text_of(doc[command][0]["error_class"]), kError) << command;
        EXPECT_EQ(text_of(doc[command][0]["message"]), "again\0\uFFFD"s) << command;
    }
    const auto job = cli({"job", "jb", "--json"});
    ASSERT_EQ(job.exit_code(), 0) << job.stderr_text;
    EXPECT_NE(job.stdout_text.find(R"("class":"Jobs::No\u0000op)" "\uFFFD" R"(")"), std::string::npos)
        << job.stdout_text;
    const auto job_doc = parse_utf8_json(job.stdout_text);
    ASSERT_TRUE(job_doc.IsObject()) << job.stdout_text;
    EXPECT_EQ(text_of(job_doc["attempts"][0]["message"]), "bad\0byte \x1b[2J\uFFFD end"s);
    const auto workers = cli({"workers", "--json"});
    ASSERT_EQ(workers.exit_code(), 0) << workers.stderr_text;
    const auto workers_doc = parse_utf8_json(workers.stdout_text);
    ASSERT_TRUE(workers_doc.IsObject()) << workers.stdout_text;
    EXPECT_EQ(text_of(workers_doc["workers"][0]["host"]), "h\0\x1b]0;pwned\x07"s);
}

TEST_F(CliGolden, UnreachableRedisIsOneLineWithTheUrlPasswordHidden) {
    server_.kill9();
    const std::string url = "redis://:s3cret@127.0.0.1:" + std::to_string(server_.port()) + "/0";
    for (const char* command : {"status", "workers", "failed", "dead", "pause"}) {
        std::vector<std::string> argv = {std::string(paths::onyx_bin), command, "-r", url, "--config", config_.string()};
        if (std::string(command) == "pause") argv.push_back("q");
        const auto r = run_command(argv);
        EXPECT_EQ(r.exit_code(), 2) << command;
        EXPECT_EQ(std::count(r.stderr_text.begin(), r.stderr_text.end(), '\n'), 1) << r.stderr_text;
        EXPECT_NE(r.stderr_text.find(":***@127.0.0.1:" + std::to_string(server_.port())), std::string::npos) << r.stderr_text;
        EXPECT_EQ(r.stderr_text.find("s3cret"), std::string::npos) << r.stderr_text;
        EXPECT_NE(r.stderr_text.find("Connection refused"), std::string::npos) << r.stderr_text;
    }
}

// `run at` is when the watcher will run the job: its score in scheduled:<q>, not the `pat` that
// enqueue wrote (here the two differ, as after a producer moved the job).
TEST_F(CliGolden, JobRunAtIsTheScheduledScoreNotPat) {
    redis_.command({"ZADD", kNs + "scheduled:alpha", ms(kT0 + 7200000), "j2"});
    const auto text = cli({"job", "j2"});
    ASSERT_EQ(text.exit_code(), 0) << text.stderr_text;
    EXPECT_NE(text.stdout_text.find("run at      2026-01-01T02:00:00.000Z"), std::string::npos) << text.stdout_text;
    const auto json = cli({"job", "j2", "--json"});
    ASSERT_EQ(json.exit_code(), 0) << json.stderr_text;
    rapidjson::Document doc;
    ASSERT_FALSE(doc.Parse(json.stdout_text.c_str()).HasParseError()) << json.stdout_text;
    EXPECT_EQ(doc["due_ms"].GetInt64(), kT0 + 7200000);
    EXPECT_EQ(doc["scheduled_ms"].GetInt64(), kT0 + 3600000);  // pat, as written
}

// Pausing a queue no worker registered warns (a typo pauses nothing), still pauses, and
// `status` lists the paused queue although nothing else names it.
TEST_F(CliGolden, PauseOfAnUnusedQueueWarnsAndStatusShowsIt) {
    const auto known = cli({"pause", "alpha"});
    ASSERT_EQ(known.exit_code(), 0) << known.stderr_text;
    EXPECT_EQ(known.stderr_text, "");
    const auto unused = cli({"pause", "gamma"});
    ASSERT_EQ(unused.exit_code(), 0) << unused.stderr_text;
    EXPECT_EQ(unused.stdout_text, "queue gamma: paused\n");
    EXPECT_NE(unused.stderr_text.find("warning: no worker or producer has used queue gamma"), std::string::npos)
        << unused.stderr_text;
    const auto status = cli({"status"});
    ASSERT_EQ(status.exit_code(), 0) << status.stderr_text;
    const std::regex gamma_paused(R"((^|\n)gamma +[0-9 ]+ yes )");
    EXPECT_TRUE(std::regex_search(status.stdout_text, gamma_paused)) << status.stdout_text;
}

}  // namespace
}  // namespace onyx::test
