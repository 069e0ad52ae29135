// retry, dequeue and pause/resume against a running worker (the real binary with the
// example plugins): each job ends where the command said it would.
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/redis_client.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace onyx::test {
namespace {

using namespace std::chrono_literals;

const std::string kNs = "onyx-background:";
constexpr auto kDeadline = 10s;

class CliUnderWorker : public ::testing::Test {
protected:
    CliUnderWorker() { write_file_text(config_, ""); }

    void start_worker(const std::string& queue, int concurrency = 2) {
        worker_ = std::make_unique<Process>(std::vector<std::string>{
            std::string(paths::onyx_bin), "worker", "-r", server_.url(), "--config", config_.string(), "--plugins",
            std::string(paths::example_plugin_dir), "-q", queue, "-c", std::to_string(concurrency)});
        wait_until([&] { return redis_.integer({"ZCARD", kNs + "workers"}) == 1; }, kDeadline,
                   "the worker to register");
    }

    void write_job(const std::string& id, const std::string& q, const std::string& cls, const std::string& arg = "{}") {
        redis_.command({"HSET", kNs + "jobs:" + id, "que", q, "cls", cls, "arg", arg, "qat", "1"});
        redis_.command({"SADD", kNs + "queues", q});
    }

    void enqueue(const std::string& id, const std::string& q, const std::string& cls, const std::string& arg = "{}") {
        write_job(id, q, cls, arg);
        redis_.command({"RPUSH", kNs + "ready:" + q, id});
    }

    CommandResult cli(std::vector<std::string> args) {
        std::vector<std::string> argv = {std::string(paths::onyx_bin), args.front(), "-r", server_.url(),
                                         "--config", config_.string()};
        argv.insert(argv.end(), args.begin() + 1, args.end());
        return run_command(argv);
    }

    long long completed(const std::string& q) { return redis_.integer({"ZCARD", kNs + "completed:" + q}); }

    // SMISMEMBER calls Redis has served so far (INFO commandstats; 0 before the first).
    long long smismember_calls() {
        const std::string info = redis_.get_string({"INFO", "commandstats"});
        const std::string tag = "cmdstat_smismember:calls=";
        const size_t at = info.find(tag);
        return at == std::string::npos ? 0 : std::stoll(info.substr(at + tag.size()));
    }

    // The job ids of the completed attempts of `q`.
    std::vector<std::string> completed_jobs(const std::string& q) {
        std::vector<std::string> jobs;
        for (const auto& att : redis_.strings({"ZRANGE", kNs + "completed:" + q, "0", "-1"}))
            jobs.push_back(redis_.get_string({"HGET", kNs + "attempts:" + att, "job"}));
        return jobs;
    }

    // Every reservation list and its ids, for messages.
    std::string reserved_text() {
        std::string out;
        for (const auto& key : redis_.strings({"KEYS", kNs + "reserved:*"})) {
            out += key + " =";
            for (const auto& id : redis_.strings({"LRANGE", key, "0", "-1"})) out += " " + id;
            out += "; ";
        }
        return out.empty() ? "none" : out;
    }

    RedisServer server_;
    RedisClient redis_{server_.port()};
    TempDir tmp_{"onyx-cli-worker"};
    std::filesystem::path config_ = tmp_.file("empty.ini");
    std::unique_ptr<Process> worker_;
};

TEST_F(CliUnderWorker, RetriedDeadJobRunsAgainWithItsCountReset) {
    start_worker("rq");
    write_job("d1", "rq", "Jobs::Noop");
    redis_.command({"HSET", kNs + "jobs:d1", "fal", "3", "ded", "5"});
    redis_.command({"ZADD", kNs + "dead:rq", "5", "d1"});
    const auto r = cli({"retry", "d1"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    EXPECT_EQ(r.stdout_text, "job d1: dead -> ready:rq (failures reset to 0)\n");
    wait_until([&] { return completed("rq") == 1; }, kDeadline, "the retried job to complete");
    EXPECT_EQ(completed_jobs("rq"), std::vector<std::string>{"d1"});
    EXPECT_EQ(redis_.integer({"EXISTS", kNs + "dead:rq"}), 0);
    EXPECT_EQ(redis_.get_string({"HGET", kNs + "jobs:d1", "fal"}), "0");
}

TEST_F(CliUnderWorker, RetryAllAndRetrySetJobsRun) {
    start_worker("rq");
    for (const char* id : {"d1", "d2"}) {
        write_job(id, "rq", "Jobs::Noop");
        redis_.command({"ZADD", kNs + "dead:rq", "5", id});
    }
    write_job("r1", "rq", "Jobs::Noop");
    redis_.command({"ZADD", kNs + "retry:rq", "9999999999999", "r1"});  // due far in the future
    EXPECT_EQ(cli({"retry", "--all", "-q", "rq"}).stdout_text, "queue rq: 2 dead jobs -> ready\n");
    EXPECT_EQ(cli({"retry", "r1"}).stdout_text, "job r1: retry -> ready:rq\n");
    wait_until([&] { return completed("rq") == 3; }, kDeadline, "three retried jobs to complete");
    auto jobs = completed_jobs("rq");
    std::sort(jobs.begin(), jobs.end());
    EXPECT_EQ(jobs, (std::vector<std::string>{"d1", "d2", "r1"}));
}

TEST_F(CliUnderWorker, DequeuedJobsNeverRun) {
    start_worker("dq", 1);
    enqueue("busy", "dq", "Jobs::Nap", R"({"sleep":1})");
    wait_until([&] { return redis_.integer({"SCARD", kNs + "processing:dq"}) == 1; }, kDeadline,
               "the one slot to be busy");
    enqueue("waiting", "dq", "Jobs::Noop");
    write_job("later", "dq", "Jobs::Noop");
    redis_.command({"ZADD", kNs + "scheduled:dq", "9999999999999", "later"});
    auto r = cli({"dequeue", "waiting"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    EXPECT_EQ(r.stdout_text, "job waiting: removed from ready:dq and deleted\n");
    r = cli({"dequeue", "later"});
    EXPECT_EQ(r.stdout_text, "job later: removed from scheduled:dq and deleted\n");
    enqueue("marker", "dq", "Jobs::Noop");
    wait_until([&] { return completed("dq") == 2; }, kDeadline, "the busy job and the marker to complete");
    // Sorted: the marker runs the moment busy ends, so both can finish in the same ms, and a
    // tie in completed:<q> is ordered by attempt id, not by time.
    auto ran = completed_jobs("dq");
    std::sort(ran.begin(), ran.end());
    EXPECT_EQ(ran, (std::vector<std::string>{"busy", "marker"}));
    EXPECT_EQ(redis_.integer({"EXISTS", kNs + "jobs:waiting", kNs + "jobs:later"}), 0);
}

TEST_F(CliUnderWorker, DequeueOfAClaimedJobSaysSoAndTheJobFinishes) {
    start_worker("dq");
    enqueue("nap", "dq", "Jobs::Nap", R"({"sleep":1})");
    wait_until([&] { return redis_.integer({"SCARD", kNs + "processing:dq"}) == 1; }, kDeadline,
               "the job to be claimed");
    const auto r = cli({"dequeue", "nap"});
    EXPECT_EQ(r.exit_code(), 1);
    EXPECT_NE(r.stderr_text.find("already claimed by a worker"), std::string::npos) << r.stderr_text;
    wait_until([&] { return completed("dq") == 1; }, kDeadline, "the claimed job to complete");
    EXPECT_EQ(redis_.integer({"EXISTS", kNs + "jobs:nap"}), 1);
}

// A producer pushed the id to another queue than its hash's `que`: the worker links the attempt
// in the queue it claimed from, and `job` still finds it.
TEST_F(CliUnderWorker, JobShowsTheAttemptsOfAJobPushedToAnotherQueueThanItsQue) {
    start_worker("wq");
    write_job("elsewhere", "other", "Jobs::Noop");
    redis_.command({"SADD", kNs + "queues", "wq"});
    redis_.command({"RPUSH", kNs + "ready:wq", "elsewhere"});
    wait_until([&] { return completed("wq") == 1; }, kDeadline, "the job to complete on queue wq");
    const auto r = cli({"job", "elsewhere", "--json"});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    EXPECT_NE(r.stdout_text.find(R"("outcome":"completed")"), std::string::npos) << r.stdout_text;
}

TEST_F(CliUnderWorker, PausedQueueKeepsItsJobsUntilResumed) {
    start_worker("pq");
    ASSERT_EQ(cli({"pause", "pq"}).stdout_text, "queue pq: paused\n");
    for (const char* id : {"p1", "p2", "p3"}) enqueue(id, "pq", "Jobs::Noop");
    EXPECT_FALSE(try_wait_until([&] { return completed("pq") > 0; }, 1500ms))
        << "a worker ran a job of a paused queue (worker-side pause support missing?)";
    EXPECT_EQ(redis_.integer({"LLEN", kNs + "ready:pq"}), 3) << "reserved lists: " << reserved_text();
    EXPECT_NE(cli({"status", "-q", "pq"}).stdout_text.find(" yes "), std::string::npos);
    EXPECT_TRUE(worker_->is_running()) << worker_->stderr_text();
    ASSERT_EQ(cli({"resume", "pq"}).stdout_text, "queue pq: resumed\n");
    wait_until([&] { return completed("pq") == 3; }, kDeadline, "the three jobs to run after resume");
    EXPECT_EQ(redis_.integer({"LLEN", kNs + "ready:pq"}), 0);
}

// A paused queue gets no wake-up BLMOVE, so a worker whose only queue is paused has nothing
// blocked in Redis to wake it when the queue resumes. With a heartbeat tick 20 s away, the
// job can run within the wait below only if the worker notices the resume by itself.
TEST_F(CliUnderWorker, IdleWorkerNoticesAResumeLongBeforeItsNextTick) {
    write_file_text(config_, "[worker]\nheartbeat_interval = 20s\nlease = 60s\n");
    start_worker("pq");
    ASSERT_EQ(cli({"pause", "pq"}).stdout_text, "queue pq: paused\n");
    enqueue("p1", "pq", "Jobs::Noop");
    const long long calls_before = smismember_calls();
    EXPECT_FALSE(try_wait_until([&] { return completed("pq") > 0; }, 1000ms))
        << "a worker ran a job of a paused queue";
    ASSERT_EQ(cli({"resume", "pq"}).stdout_text, "queue pq: resumed\n");
    wait_until([&] { return completed("pq") == 1; }, 5s,
               "the job to run after resume (the worker's next heartbeat tick is about 18 s away)");
    EXPECT_TRUE(worker_->is_running()) << worker_->stderr_text();
    // The worker checked its paused queue (SMISMEMBER); with no queue paused now the checks
    // stop. The finish of p1, whose script also calls SMISMEMBER, is already recorded.
    const long long calls_after = smismember_calls();
    EXPECT_GT(calls_after, calls_before);
    EXPECT_FALSE(try_wait_until([&] { return smismember_calls() > calls_after; }, 1500ms))
        << "the worker still checks for a resume while no queue is paused";
}

}  // namespace
}  // namespace onyx::test
