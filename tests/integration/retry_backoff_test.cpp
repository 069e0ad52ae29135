// Retries, backoff and the dead set (issue 4, "done when" 1), against a real redis-server, the
// real worker and watcher binaries:
// - a job failing twice then succeeding (Files::Checksum of a file that appears after the second
//   failure) ends completed with 3 attempts on its `lat` -> `prv` chain, and the gaps between an
//   attempt's `fin` and the next one's `sta` follow the policy (base 200 ms, jitter 0: >= 200 ms,
//   then >= 400 ms; the upper bounds are generous, against a hang, not speed assertions);
// - while it waits, a failed job sits in retry:<q> with score = fin + delay, and nowhere else;
// - an always-failing job ends in dead:<q> after retries + 1 attempts (`fal` = retries + 1, `ded`
//   set, the dead score = `ded`), stats:<q> counts every failed attempt;
// - a per-job `--retries 0` (CLI, `rty`) goes dead after 1 attempt whatever the queue says;
// - InvalidArguments (from the handler, or from arguments that are not JSON) goes dead at once;
// - a stale recovery ("Worker Timeout", worker SIGKILLed mid-job) counts as an attempt.
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
#include <csignal>
#include <filesystem>
#include <optional>
#include <map>
#include <string>
#include <vector>

namespace onyx::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kNs = "retry";
constexpr auto kDeadline = 20s;

std::string key(std::string_view kind, std::string_view id = "default") { return ns_key(kNs, kind, id); }

long long to_ll(const std::string& text) { return std::stoll(text); }

class RetryBackoff : public ::testing::Test {
protected:
    RetryBackoff() : redis_(server_.port()) {
        write_file_text(config_,
                        "[redis]\nurl = " + server_.url() + "\nnamespace = " + kNs +
                            "\n[worker]\nqueues = default,later\nconcurrency = 2\nshutdown_timeout = 2s\n"
                            "heartbeat_interval = 200ms\nlease = 2s\nplugins = " +
                            std::string(paths::example_plugin_dir) +
                            "\n[watcher]\ninterval = 100ms\n"
                            "[queue.default]\nretries = 3\nbackoff_base = 200ms\nbackoff_cap = 10s\nbackoff_jitter = 0\n"
                            "[queue.later]\nretries = 1\nbackoff_base = 3s\nbackoff_cap = 10s\nbackoff_jitter = 0\n"
                            "[log]\nlevel = debug\n");
    }

    ~RetryBackoff() override {
        if (worker_ && worker_->is_running()) {
            EXPECT_EQ(worker_->terminate(10s), exited_with(0)) << worker_->stderr_text();
        }
        if (watcher_ && watcher_->is_running()) {
            EXPECT_EQ(watcher_->terminate(10s), exited_with(0)) << watcher_->stderr_text();
        }
    }

    void start_daemons() {
        watcher_.emplace(start_onyx("watcher", config_.string()));
        start_worker();
    }

    void start_worker() {
        worker_.emplace(start_onyx("worker", config_.string()));
        wait_until([&] { return redis_.integer({"ZCARD", std::string(kNs) + ":workers"}) >= 1; }, kDeadline,
                   "the worker to register in " + std::string(kNs) + ":workers");
    }

    std::string enqueue(const std::string& cls, const std::string& args, const std::string& queue = "default",
                        std::optional<int> retries = std::nullopt) {
        onyx_background::Client producer({server_.url(), kNs});
        onyx_background::JobRequest request{cls, args, queue};
        request.retries = retries;
        return producer.enqueue(request);
    }

    std::map<std::string, std::string> job(const std::string& id) { return redis_.hgetall(key("jobs", id)); }

    // The job's attempts, oldest first, by walking `lat` then each attempt's `prv`.
    std::vector<std::map<std::string, std::string>> chain(const std::string& id) {
        return attempt_chain(redis_, kNs, id);
    }

    std::string where(const std::string& id, const std::string& queue = "default") {
        return "job " + id + ": " + testing::PrintToString(job(id)) + "; retry score " +
               redis_.optional_string({"ZSCORE", key("retry", queue), id}).value_or("-") + ", dead score " +
               redis_.optional_string({"ZSCORE", key("dead", queue), id}).value_or("-") + ", ready " +
               testing::PrintToString(redis_.strings({"LRANGE", key("ready", queue), "0", "-1"})) +
               "\nworker stderr:\n" + (worker_ ? worker_->stderr_text() : "");
    }

    void wait_dead(const std::string& id, const std::string& queue = "default") {
        const bool dead = try_wait_until(
            [&] { return redis_.optional_string({"ZSCORE", key("dead", queue), id}).has_value(); }, kDeadline);
        ASSERT_TRUE(dead) << timeout_message(kDeadline, "job " + id + " to enter dead:" + queue) << "; " << where(id, queue);
    }

    // Checks the state of a job that is dead after `attempts` attempts failing with `err`.
    void expect_dead_after(const std::string& id, size_t attempts, const std::string& err,
                           const std::string& queue = "default") {
        const auto fields = job(id);
        EXPECT_EQ(fields.count("fal") ? fields.at("fal") : "-", std::to_string(attempts)) << where(id, queue);
        ASSERT_TRUE(fields.count("ded")) << "no `ded` field; " << where(id, queue);
        EXPECT_EQ(redis_.optional_string({"ZSCORE", key("dead", queue), id}), fields.at("ded"));
        EXPECT_EQ(redis_.optional_string({"ZSCORE", key("retry", queue), id}), std::nullopt) << where(id, queue);
        const auto ready = redis_.strings({"LRANGE", key("ready", queue), "0", "-1"});
        EXPECT_EQ(std::count(ready.begin(), ready.end(), id), 0) << where(id, queue);
        const auto attempts_seen = chain(id);
        ASSERT_EQ(attempts_seen.size(), attempts) << where(id, queue);
        for (const auto& a : attempts_seen) {
            EXPECT_EQ(a.count("err") ? a.at("err") : "-", err) << "attempt " << a.at("id");
            EXPECT_TRUE(redis_.optional_string({"ZSCORE", key("failed", queue), a.at("id")}).has_value())
                << "attempt " << a.at("id") << " is not in failed:" << queue;
        }
    }

    RedisServer server_;
    RedisClient redis_;
    TempDir dir_;
    std::filesystem::path config_ = dir_.file("onyx.ini");
    std::optional<Process> watcher_;
    std::optional<Process> worker_;
};

TEST_F(RetryBackoff, JobFailingTwiceThenSucceedingCompletesWithThreeAttemptsAndPolicyGaps) {
    start_daemons();
    const auto input = dir_.file("input.txt");
    const std::string id = enqueue("Files::Checksum", R"({"path": ")" + input.string() + R"("})");

    // The input appears only once the second attempt has failed, so attempts 1 and 2 fail
    // (Files::NotFound) and attempt 3 succeeds. The next attempt is >= 400 ms away then.
    const bool failed_twice = try_wait_until([&] { return job(id)["fal"] == "2"; }, kDeadline);
    ASSERT_TRUE(failed_twice) << timeout_message(kDeadline, "job " + id + " to fail twice") << "; " << where(id);
    ASSERT_EQ(chain(id).size(), 2u) << "a third attempt started before the input was written; " << where(id);
    write_file_text(input, "hello\n");

    const bool completed = try_wait_until([&] { return redis_.integer({"ZCARD", key("completed")}) == 1; }, kDeadline);
    ASSERT_TRUE(completed) << timeout_message(kDeadline, "job " + id + " to complete") << "; " << where(id);

    const auto attempts = chain(id);
    ASSERT_EQ(attempts.size(), 3u) << where(id);
    EXPECT_EQ(attempts[0].count("err") ? attempts[0].at("err") : "-", "Files::NotFound");
    EXPECT_EQ(attempts[1].count("err") ? attempts[1].at("err") : "-", "Files::NotFound");
    EXPECT_EQ(attempts[2].count("err"), 0u) << "the last attempt failed: " << attempts[2].at("err");
    EXPECT_TRUE(redis_.optional_string({"ZSCORE", key("completed"), attempts[2].at("id")}).has_value());
    for (size_t i = 0; i < 2; ++i)
        EXPECT_TRUE(redis_.optional_string({"ZSCORE", key("failed"), attempts[i].at("id")}).has_value())
            << "attempt " << i + 1 << " is not in failed:default";
    for (const auto& a : attempts) EXPECT_EQ(a.at("job"), id);

    // Policy gaps: retry n is due at fin(n) + min(cap, base * 2^(n-1)) * (1 - 0).
    const long long gap1 = to_ll(attempts[1].at("sta")) - to_ll(attempts[0].at("fin"));
    const long long gap2 = to_ll(attempts[2].at("sta")) - to_ll(attempts[1].at("fin"));
    EXPECT_GE(gap1, 200) << "retry 1 ran before its backoff";
    EXPECT_GE(gap2, 400) << "retry 2 ran before its backoff";
    EXPECT_LT(gap1, 200 + 5000) << "retry 1 came far too late";
    EXPECT_LT(gap2, 400 + 5000) << "retry 2 came far too late";

    const auto fields = job(id);
    EXPECT_EQ(fields.at("fal"), "2");
    EXPECT_EQ(fields.count("ded"), 0u);
    EXPECT_EQ(redis_.integer({"ZCARD", key("dead")}), 0);
    EXPECT_EQ(redis_.integer({"ZCARD", key("retry")}), 0);
    EXPECT_EQ(redis_.hgetall(key("stats")), (std::map<std::string, std::string>{{"completed", "1"}, {"failed", "2"}}));
}

TEST_F(RetryBackoff, AFailedJobWaitsInTheRetrySetUntilItIsDue) {
    start_daemons();
    const std::string id = enqueue("Jobs::Fail", R"({"message": "not yet"})", "later");
    const bool failed = try_wait_until([&] { return job(id)["fal"] == "1"; }, kDeadline);
    ASSERT_TRUE(failed) << timeout_message(kDeadline, "job " + id + " to fail once") << "; " << where(id, "later");

    // Queue "later": base 3 s, jitter 0: due exactly 3000 ms after the attempt's fin.
    const auto first = chain(id);
    ASSERT_EQ(first.size(), 1u) << where(id, "later");
    const auto score = redis_.optional_string({"ZSCORE", key("retry", "later"), id});
    ASSERT_TRUE(score.has_value()) << "the failed job is not in retry:later; " << where(id, "later");
    EXPECT_EQ(to_ll(*score), to_ll(first[0].at("fin")) + 3000);
    EXPECT_EQ(redis_.integer({"LLEN", key("ready", "later")}), 0);
    EXPECT_EQ(redis_.integer({"SCARD", key("processing", "later")}), 0);
    EXPECT_EQ(redis_.integer({"ZCARD", key("scheduled", "later")}), 0);
    EXPECT_EQ(redis_.integer({"ZCARD", key("dead", "later")}), 0);

    // Retries = 1: the second attempt is the last; it runs after the due time and the job dies.
    wait_dead(id, "later");
    expect_dead_after(id, 2, "std::runtime_error", "later");
    const auto attempts = chain(id);
    ASSERT_EQ(attempts.size(), 2u);
    EXPECT_GE(to_ll(attempts[1].at("sta")), to_ll(*score)) << "the retry ran before it was due";
    EXPECT_EQ(attempts[1].at("msg"), "not yet");
}

TEST_F(RetryBackoff, AlwaysFailingJobIsDeadAfterRetriesPlusOneAttempts) {
    start_daemons();
    const std::string id = enqueue("Jobs::Fail", R"({"message": "always"})");
    wait_dead(id);
    expect_dead_after(id, 4, "std::runtime_error");  // [queue.default] retries = 3
    const auto attempts = chain(id);
    ASSERT_EQ(attempts.size(), 4u);
    for (size_t i = 1; i < attempts.size(); ++i) {
        const long long gap = to_ll(attempts[i].at("sta")) - to_ll(attempts[i - 1].at("fin"));
        EXPECT_GE(gap, 200LL << (i - 1)) << "retry " << i << " ran before its backoff";
    }
    EXPECT_EQ(redis_.hgetall(key("stats")), (std::map<std::string, std::string>{{"failed", "4"}}));
    // Dead is final: nothing runs it again.
    EXPECT_FALSE(try_wait_until([&] { return chain(id).size() > 4; }, 1500ms)) << where(id);
}

TEST_F(RetryBackoff, PerJobRetriesZeroFromTheCliGoesDeadAfterOneAttempt) {
    start_daemons();
    const CommandResult r = run_command({std::string(paths::onyx_bin), "enqueue", "Jobs::Fail", R"({"message": "once"})",
                                         "--retries", "0", "--config", config_.string()});
    ASSERT_EQ(r.exit_code(), 0) << r.stderr_text;
    std::string id = r.stdout_text;
    while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
    ASSERT_EQ(job(id)["rty"], "0") << "the CLI did not write rty; " << where(id);
    wait_dead(id);
    expect_dead_after(id, 1, "std::runtime_error");
}

TEST_F(RetryBackoff, InvalidArgumentsGoesDeadAtOnce) {
    start_daemons();
    // From the handler (Nap rejects a negative sleep) and from the host (arg is not JSON).
    const std::string from_handler = enqueue("Jobs::Nap", R"({"sleep": -1})");
    const std::string from_host = "not-json-job";
    redis_.command({"HSET", key("jobs", from_host), "que", "default", "cls", "Jobs::Noop", "arg", "{not json", "qat", "1"});
    redis_.command({"RPUSH", key("ready"), from_host});
    wait_dead(from_handler);
    wait_dead(from_host);
    expect_dead_after(from_handler, 1, "InvalidArguments");
    expect_dead_after(from_host, 1, "InvalidArguments");
    EXPECT_EQ(redis_.integer({"ZCARD", key("retry")}), 0);
}

TEST_F(RetryBackoff, StaleRecoveryCountsAsAnAttempt) {
    start_daemons();
    // rty 1: a Worker Timeout is attempt 1 (the job is requeued), a second one makes it dead.
    const std::string id = enqueue("Jobs::Nap", R"({"sleep": 30})", "default", 1);
    for (int round = 1; round <= 2; ++round) {
        const bool running = try_wait_until([&] { return redis_.integer({"SCARD", key("processing")}) == 1; }, kDeadline);
        ASSERT_TRUE(running) << timeout_message(kDeadline, "job " + id + " to be running (round " + std::to_string(round) + ")")
                             << "; " << where(id);
        // Killed before a beat listed it running, the attempt would go back uncounted (Worker Lost).
        const std::string wid = wait_worker_registered(redis_, kNs, *worker_);
        wait_beat_lists_running(redis_, kNs, wid, redis_.strings({"SMEMBERS", key("processing")}));
        EXPECT_EQ(worker_->kill9(), killed_by(SIGKILL));
        const bool recovered = try_wait_until([&] { return job(id)["fal"] == std::to_string(round); }, kDeadline);
        ASSERT_TRUE(recovered) << timeout_message(kDeadline, "the watcher to fail the attempt of the killed worker")
                               << "; " << where(id);
        if (round == 1) {
            EXPECT_EQ(redis_.optional_string({"ZSCORE", key("dead"), id}), std::nullopt) << where(id);
            start_worker();
        }
    }
    wait_dead(id);
    expect_dead_after(id, 2, "Worker Timeout");
}

}  // namespace
}  // namespace onyx::test
