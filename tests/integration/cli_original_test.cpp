// The operator CLI on a Redis written only by the original Crystal tools: jobs and attempts
// written with the original's command sequence (docs/protocol.md: HSET + RPUSH/ZADD, attempts
// with sta job wrk que and fin tim [err]), no `<ns>:queues`, no worker registry, no stats. The
// original workers are stood in for by raw connections named with CLIENT SETNAME
// (`onyx-background-worker:<queues>` %XX-escaped, `onyx-background-worker-fiber:<main id>`).
// Queues are found by SCAN (exact prefixes, so `mail:high` is one queue), workers and fibers
// from CLIENT LIST, attempts of unlinked jobs by reading the queue's sets.
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/redis_client.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"

#include <rapidjson/document.h>

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

namespace onyx::test {
namespace {

const std::string kNs = "onyx-background:";
constexpr int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00.000Z

std::string ms(int64_t value) { return std::to_string(value); }

// Times, ages, client ids and addresses vary from run to run; blanks runs squeezed.
std::string normalise(const std::string& text) {
    static const std::regex iso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
    static const std::regex age(R"(\d+(ms|s|m|h|d)(\d+(ms|s|m|h|d))? ago)");
    static const std::regex client(R"(client:\d+)");
    static const std::regex addr(R"(127\.0\.0\.1:\d+)");
    static const std::regex blanks(" {2,}");
    std::string out = std::regex_replace(text, iso, "<TIME>");
    out = std::regex_replace(out, age, "<AGE>");
    out = std::regex_replace(out, client, "client:<ID>");
    out = std::regex_replace(out, addr, "<ADDR>");
    return std::regex_replace(out, blanks, "  ");
}

class CliOriginal : public ::testing::Test {
protected:
    CliOriginal() {
        write_file_text(config_, "");
        enqueue("o1", "alpha", "Jobs::Nap", R"({"sleep":1})");
        enqueue("o3", "mail-ü", "Jobs::Fail", "{}");
        enqueue("o4", "mail-ü", "Jobs::Noop", "{}");
        redis_.command({"HSET", kNs + "jobs:o2", "que", "mail:high", "cls", "Jobs::Noop", "arg", "{}", "qat", ms(kT0),
                        "pat", ms(kT0 + 60000)});
        redis_.command({"ZADD", kNs + "scheduled:mail:high", ms(kT0 + 60000), "o2"});
        write_attempts();
    }

    // The original Manager's enqueue: the hash, then the push, on one connection.
    void enqueue(const std::string& id, const std::string& q, const std::string& cls, const std::string& arg) {
        redis_.command({"HSET", kNs + "jobs:" + id, "que", q, "cls", cls, "arg", arg, "qat", ms(kT0)});
        redis_.command({"RPUSH", kNs + "ready:" + q, id});
    }

    // What the original worker writes: claim (sta job wrk que + SADD processing), then finish
    // (fin tim [err], SREM processing, ZADD completed/failed). o3 failed then completed; o4 runs.
    void write_attempts() {
        const std::string q = "mail-ü";
        redis_.command({"LREM", kNs + "ready:" + q, "0", "o3"});
        redis_.command({"LREM", kNs + "ready:" + q, "0", "o4"});
        redis_.command({"HSET", kNs + "attempts:oa2", "sta", ms(kT0 + 2000), "job", "o3", "wrk", "12", "que", q, "fin",
                        ms(kT0 + 2003), "tim", "3.000"});
        redis_.command({"HSET", kNs + "attempts:oa1", "sta", ms(kT0 + 1000), "job", "o3", "wrk", "12", "que", q, "fin",
                        ms(kT0 + 1002), "tim", "2.000", "err", "ArgumentError"});
        redis_.command({"HSET", kNs + "attempts:oa3", "sta", ms(kT0 + 3000), "job", "o4", "wrk", "13", "que", q});
        redis_.command({"ZADD", kNs + "failed:" + q, ms(kT0 + 1002), "oa1"});
        redis_.command({"ZADD", kNs + "completed:" + q, ms(kT0 + 2003), "oa2"});
        redis_.command({"SADD", kNs + "processing:" + q, "oa3"});
    }

    // One original worker: a main connection named with its queues and `fibers` fiber connections.
    void start_original_worker(const std::string& escaped_queues, int fibers) {
        connections_.emplace_back(server_.port());
        RedisClient& main = connections_.back();
        main.command({"CLIENT", "SETNAME", "onyx-background-worker:" + escaped_queues});
        const std::string id = std::to_string(main.integer({"CLIENT", "ID"}));
        for (int i = 0; i < fibers; ++i) {
            connections_.emplace_back(server_.port());
            connections_.back().command({"CLIENT", "SETNAME", "onyx-background-worker-fiber:" + id});
        }
    }

    CommandResult cli(std::vector<std::string> args) {
        std::vector<std::string> argv = {std::string(paths::onyx_bin), args.front(), "-r", server_.url(),
                                         "--config", config_.string()};
        argv.insert(argv.end(), args.begin() + 1, args.end());
        return run_command(argv);
    }

    RedisServer server_;
    RedisClient redis_{server_.port()};
    std::vector<RedisClient> connections_;
    TempDir tmp_{"onyx-cli-original"};
    std::filesystem::path config_ = tmp_.file("empty.ini");
};

TEST_F(CliOriginal, StatusFindsQueuesByScanAndWorkersByClientList) {
    start_original_worker("alpha,mail-%C3%BC", 2);
    start_original_worker("mail:high", 1);
    const auto r = cli({"status", "-v"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    EXPECT_EQ(std::regex_replace(r.stdout_text, std::regex(R"(elapsed \d+ ms)"), "elapsed N ms"),
              "queue      workers  fibers  jps  ready  scheduled  processing  completed  failed  dead  retries  paused  total_completed  total_failed\n"
              "alpha            1       2    0      1          0           0          0       0     0        0      no                0             0\n"
              "mail-ü           1       2    0      0          0           1          1       1     0        0      no                0             0\n"
              "mail:high        1       1    0      0          1           0          0       0     0        0      no                0             0\n"
              "\n"
              "elapsed N ms, redis " + server_.url() +
              ", namespace onyx-background\n"
              "queues (scan): alpha,mail-ü,mail:high\n"
              "workers (client-list): 2, fibers 3\n")
        << r.stdout_text;
}

TEST_F(CliOriginal, StatusJsonSaysWhereQueuesAndWorkersCameFrom) {
    start_original_worker("alpha", 3);
    const auto r = cli({"status", "--json", "-q", "alpha"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    rapidjson::Document doc;
    doc.Parse(r.stdout_text.c_str());
    ASSERT_FALSE(doc.HasParseError()) << r.stdout_text;
    EXPECT_EQ(std::string(doc["queue_source"].GetString()), "flag");
    EXPECT_EQ(std::string(doc["worker_source"].GetString()), "client-list");
    EXPECT_EQ(doc["queues"][0]["workers"].GetInt64(), 1);
    EXPECT_EQ(doc["queues"][0]["fibers"].GetInt64(), 3);
    EXPECT_EQ(doc["queues"][0]["ready"].GetInt64(), 1);
}

TEST_F(CliOriginal, WorkersListsTheNamedConnections) {
    start_original_worker("alpha,mail-%C3%BC", 2);
    const auto r = cli({"workers"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    EXPECT_EQ(normalise(r.stdout_text), "worker  host  pid  queues  busy  done  state  started  beat\n"
              "client:<ID>  <ADDR>  -  alpha,mail-ü  ?/2  -  original  <TIME>  -\n") << r.stdout_text;
}

TEST_F(CliOriginal, JobFindsUnlinkedAttemptsInOrder) {
    const auto r = cli({"job", "o3"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    EXPECT_EQ(normalise(r.stdout_text), "job  o3\n"
              "queue  mail-ü\n"
              "class  Jobs::Fail\n"
              "args  {}\n"
              "state  completed\n"
              "enqueued  <TIME> (<AGE>)\n"
              "run at  -\n"
              "failures  0\n"
              "timeout  -\n"
              "dead since  -\n"
              "\n"
              "#  attempt  outcome  started  duration  wrk  error  message\n"
              "1  oa1  failed  <TIME>  2.000ms  12  ArgumentError  -\n"
              "2  oa2  completed  <TIME>  3.000ms  12  -  -\n") << r.stdout_text;
    const auto running = cli({"job", "o4"});
    EXPECT_NE(running.stdout_text.find("state       running"), std::string::npos) << running.stdout_text;
}

TEST_F(CliOriginal, FailedShowsTheClassOnlyAttempts) {
    const auto r = cli({"failed"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    EXPECT_EQ(normalise(r.stdout_text), "failed  queue  job  class  error  message  attempt\n"
              "<AGE>  mail-ü  o3  Jobs::Fail  ArgumentError  -  oa1\n") << r.stdout_text;
}

TEST_F(CliOriginal, DequeueOfAScheduledJobUnderAColonQueue) {
    const auto r = cli({"dequeue", "o2"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    EXPECT_EQ(r.stdout_text, "job o2: removed from scheduled:mail:high and deleted\n");
    EXPECT_EQ(redis_.integer({"EXISTS", kNs + "jobs:o2", kNs + "scheduled:mail:high"}), 0);
}

}  // namespace
}  // namespace onyx::test
