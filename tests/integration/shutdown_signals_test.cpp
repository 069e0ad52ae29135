// Graceful shutdown and the other signals (issue 4, "done when" 4), real SIGTERM/SIGINT/SIGTSTP/
// SIGUSR1 to the real worker binary, against a real redis-server:
// - SIGTERM under load (3,000 short jobs and some Naps, some longer than shutdown_timeout):
//   exit 0 within shutdown_timeout + a generous 5 s; nothing in processing or reserved lists
//   afterwards; handed-back jobs are at the head of ready:<q>; after a second worker ran the
//   rest, every job has exactly one completed attempt and every failed attempt says "Shutdown"
//   (no job ran twice unless it was handed back);
// - a job running longer than shutdown_timeout, cooperative (Jobs::Nap) or not (Files::Checksum
//   blocked on a FIFO), is handed back to the head of ready with err "Shutdown", no `fin`,
//   `fal` unchanged; the worker still exits 0;
// - an idle worker exits 0 (generous deadline; the elapsed time is printed);
// - SIGTSTP and SIGUSR1 make the worker quiet: registry state "quiet", jobs enqueued after it
//   stay in ready:<q> (not in reserved:<wid>:<q>) for longer than a BLMOVE block, the process
//   runs on; SIGTERM then stops it with exit 0 and the jobs still in ready;
// - jobs enqueued while a worker waits for its running job to finish stay in ready:<q>;
// - SIGTERM while Redis refuses writes with -OOM: the hand-back cannot be written, yet after
//   memory is freed every job still completes (with a watcher and a new worker): nothing is
//   left in processing:<q> or reserved lists of a worker that unregistered;
// - a second SIGINT exits at once, long before shutdown_timeout (exit code 1), and a watcher
//   then recovers the job it left running.
#include "support/onyx_daemon.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/redis_client.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

#include <onyx_background/client.hpp>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace onyx::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kNs = "shutdown";
constexpr auto kDeadline = 20s;

std::string key(std::string_view kind, std::string_view id = "default") { return ns_key(kNs, kind, id); }

class ShutdownSignals : public ::testing::Test {
protected:
    ShutdownSignals() : redis_(server_.port()) {}

    std::string config(const std::string& worker_section) {
        const auto path = dir_.file("onyx-" + std::to_string(++configs_) + ".ini");
        write_file_text(path, "[redis]\nurl = " + server_.url() + "\nnamespace = " + kNs + "\n[worker]\n" +
                                  worker_section + "heartbeat_interval = 100ms\nlease = 2s\nplugins = " +
                                  std::string(paths::example_plugin_dir) +
                                  "\n[watcher]\ninterval = 100ms\n[log]\nlevel = debug\n");
        return path.string();
    }

    Process start(const std::string& role, const std::string& config_path) {
        return start_onyx(role, config_path);
    }

    std::string wait_registered(Process& worker) {
        std::vector<std::string> ids;
        wait_until(
            [&] {
                if (!worker.is_running()) throw std::runtime_error("the worker exited: " + worker.stderr_text());
                ids = redis_.strings({"ZRANGE", std::string(kNs) + ":workers", "0", "-1"});
                return ids.size() == 1;
            },
            kDeadline, "the worker to register");
        return ids.front();
    }

    static void wait_performing(Process& worker, const std::string& id) {
        wait_until([&] { return worker.stderr_text().find("[" + id + "] Performing") != std::string::npos; },
                   kDeadline, "the worker's debug line saying it performs job " + id);
    }

    std::string push(const std::string& id, const std::string& cls, const std::string& args) {
        redis_.command({"HSET", key("jobs", id), "que", "default", "cls", cls, "arg", args, "qat", "1"});
        redis_.command({"RPUSH", key("ready"), id});
        return id;
    }

    // Sends `signal` and waits for the exit; returns status and seconds taken.
    std::pair<std::optional<ExitStatus>, double> signal_and_wait(Process& worker, int signal,
                                                                 std::chrono::milliseconds deadline) {
        const auto sent = Clock::now();
        worker.send_signal(signal);
        auto status = worker.wait_exit(deadline);
        return {status, std::chrono::duration<double>(Clock::now() - sent).count()};
    }

    std::vector<std::string> ready() { return redis_.strings({"LRANGE", key("ready"), "0", "-1"}); }

    std::string state(const std::string& wid) {
        return redis_.optional_string({"HGET", std::string(kNs) + ":worker:" + wid, "state"}).value_or("<none>");
    }

    // Every attempt of every job: job id -> (attempt id -> attempt hash), from the sets.
    std::map<std::string, std::map<std::string, std::map<std::string, std::string>>> attempts_by_job() {
        std::map<std::string, std::map<std::string, std::map<std::string, std::string>>> out;
        for (const char* kind : {"completed", "failed"})
            for (const auto& aid : redis_.strings({"ZRANGE", key(kind), "0", "-1"})) {
                auto a = redis_.hgetall(key("attempts", aid));
                a["set"] = kind;
                out[a["job"]][aid] = a;
            }
        return out;
    }

    RedisServer server_;
    RedisClient redis_;
    TempDir dir_;
    int configs_ = 0;
};

TEST_F(ShutdownSignals, SigtermUnderLoadLosesNothingAndRunsNothingTwiceExceptHandedBack) {
    const auto cfg = config("concurrency = 8\nprefetch = 50\nadaptive_prefetch = false\nshutdown_timeout = 1s\n");
    Process worker = start("worker", cfg);
    wait_registered(worker);
    std::vector<onyx_background::JobRequest> requests(3000, {"Jobs::Noop"});
    for (size_t i = 0; i < requests.size(); i += 50) {
        requests[i].job_class = "Jobs::Nap";  // 0.05 s .. 3 s: some outlive shutdown_timeout
        requests[i].args_json = R"({"sleep": )" + std::to_string(0.05 + 0.25 * static_cast<double>(i % 13)) + "}";
    }
    onyx_background::Client producer({server_.url(), kNs});
    const auto ids = producer.enqueue_many(requests);
    wait_until([&] { return redis_.integer({"ZCARD", key("completed")}) >= 300; }, kDeadline, "300 jobs to complete");

    const auto [status, took] = signal_and_wait(worker, SIGTERM, 1s + 5s);
    ASSERT_EQ(status, exited_with(0)) << worker.stderr_text();
    std::printf("[ shutdown ] SIGTERM under load: exit after %.3f s (shutdown_timeout 1 s)\n", took);
    ASSERT_LT(redis_.integer({"ZCARD", key("completed")}), 3000) << "the load was over before SIGTERM: proves nothing";
    EXPECT_EQ(redis_.integer({"SCARD", key("processing")}), 0) << "attempts left in processing by a clean stop";
    EXPECT_EQ(redis_.strings({"KEYS", key("reserved", "*")}), std::vector<std::string>{});
    EXPECT_EQ(redis_.integer({"ZCARD", std::string(kNs) + ":workers"}), 0);

    // Handed-back jobs sit at the head of ready.
    std::set<std::string> handed_back;
    for (const auto& [job, attempts] : attempts_by_job())
        for (const auto& [aid, a] : attempts)
            if (a.count("err")) handed_back.insert(job);
    const auto queue = ready();
    ASSERT_GE(queue.size(), handed_back.size());
    EXPECT_EQ(std::set<std::string>(queue.begin(), queue.begin() + static_cast<long>(handed_back.size())), handed_back)
        << "handed-back jobs are not at the head of ready:default";
    std::printf("[ shutdown ] %zu jobs handed back, %zu waiting in ready\n", handed_back.size(), queue.size());

    Process second = start("worker", cfg);
    const bool all_done = try_wait_until([&] { return redis_.integer({"ZCARD", key("completed")}) >= 3000; }, 60s);
    ASSERT_TRUE(all_done) << timeout_message(60s, "the second worker to complete the rest") << ": completed "
                          << redis_.integer({"ZCARD", key("completed")}) << ", ready " << redis_.integer({"LLEN", key("ready")});
    EXPECT_EQ(second.terminate(15s), exited_with(0)) << second.stderr_text();

    const auto by_job = attempts_by_job();
    EXPECT_EQ(by_job.size(), ids.size());
    for (const auto& id : ids) {
        const auto it = by_job.find(id);
        ASSERT_NE(it, by_job.end()) << "job " << id << " was lost";
        int completed = 0;
        for (const auto& [aid, a] : it->second) {
            if (a.at("set") == "completed") {
                ++completed;
                EXPECT_EQ(a.count("err"), 0u);
            } else {
                EXPECT_EQ(a.count("err") ? a.at("err") : "-", "Shutdown") << "attempt " << aid << " of job " << id;
                EXPECT_EQ(a.count("fin"), 0u) << "a handed-back attempt has no fin";
            }
        }
        EXPECT_EQ(completed, 1) << "job " << id << " completed " << completed << " times";
        EXPECT_EQ(redis_.optional_string({"HGET", key("jobs", id), "fal"}).value_or("0"), "0")
            << "a hand-back counted as a failure of job " << id;
    }
}

TEST_F(ShutdownSignals, JobsLongerThanShutdownTimeoutAreHandedBackToTheHeadOfReady) {
    Process worker = start("worker", config("concurrency = 2\nshutdown_timeout = 1s\n"));
    const std::string wid = wait_registered(worker);
    const auto fifo = dir_.file("never.fifo");
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
    push("nap", "Jobs::Nap", R"({"sleep": 60})");
    push("blocked", "Files::Checksum", R"({"path": ")" + fifo.string() + R"("})");  // ignores cancellation
    wait_performing(worker, "nap");
    wait_performing(worker, "blocked");
    push("later-1", "Jobs::Noop", "{}");
    push("later-2", "Jobs::Noop", "{}");
    const auto running = redis_.strings({"SMEMBERS", key("processing")});
    ASSERT_EQ(running.size(), 2u);

    const auto [status, took] = signal_and_wait(worker, SIGTERM, 1s + 5s);
    EXPECT_EQ(status, exited_with(0)) << worker.stderr_text();
    EXPECT_GE(took, 0.9) << "the worker did not give its jobs shutdown_timeout to finish";
    const auto queue = ready();
    ASSERT_EQ(queue.size(), 4u) << testing::PrintToString(queue);
    EXPECT_EQ(std::set<std::string>(queue.begin(), queue.begin() + 2), (std::set<std::string>{"nap", "blocked"}))
        << "handed-back jobs must be at the head of ready: " << testing::PrintToString(queue);
    EXPECT_EQ(std::vector<std::string>(queue.begin() + 2, queue.end()), (std::vector<std::string>{"later-1", "later-2"}));
    for (const auto& aid : running) {
        const auto a = redis_.hgetall(key("attempts", aid));
        EXPECT_EQ(a.count("err") ? a.at("err") : "-", "Shutdown");
        EXPECT_EQ(a.count("fin"), 0u);
        EXPECT_TRUE(redis_.optional_string({"ZSCORE", key("failed"), aid}).has_value());
    }
    EXPECT_EQ(redis_.integer({"SCARD", key("processing")}), 0);
    EXPECT_EQ(redis_.optional_string({"HGET", key("jobs", "nap"), "fal"}).value_or("0"), "0");
    EXPECT_EQ(redis_.optional_string({"HGET", key("jobs", "blocked"), "fal"}).value_or("0"), "0");
    EXPECT_EQ(redis_.integer({"ZCARD", std::string(kNs) + ":workers"}), 0) << "the worker did not unregister";
}

// SIGTERM at any moment of a backlog drain, also between a claim and the reads of its job
// hashes: every attempt made is finished or handed back before the worker unregisters, so
// nothing stays in processing under an id no watcher knows. Ten quick start/stop cycles.
TEST_F(ShutdownSignals, RepeatedSigtermsDuringABacklogLeaveNothingInProcessing) {
    onyx_background::Client producer({server_.url(), kNs});
    producer.enqueue_many(std::vector<onyx_background::JobRequest>(100000, {"Jobs::Noop"}));
    const auto cfg = config("concurrency = 4\nprefetch = 200\nadaptive_prefetch = false\nclaim_batch = 200\nshutdown_timeout = 5s\n");
    for (int cycle = 0; cycle < 10; ++cycle) {
        Process worker = start("worker", cfg);
        wait_registered(worker);
        std::this_thread::sleep_for(std::chrono::milliseconds(20 * cycle));
        const auto [status, took] = signal_and_wait(worker, SIGTERM, 10s);
        ASSERT_EQ(status, exited_with(0)) << "cycle " << cycle << "\n" << worker.stderr_text();
        ASSERT_EQ(redis_.integer({"SCARD", key("processing")}), 0)
            << "cycle " << cycle << ": attempts left in processing\n" << worker.stderr_text();
        ASSERT_EQ(redis_.integer({"ZCARD", kNs + std::string(":workers")}), 0) << "cycle " << cycle;
    }
    // Every job is either completed once or still waiting.
    const long long completed = redis_.integer({"ZCARD", key("completed")});
    EXPECT_GT(completed, 0);
    EXPECT_EQ(completed + redis_.integer({"LLEN", key("ready")}), 100000);
    EXPECT_EQ(redis_.optional_string({"HGET", key("stats"), "completed"}), std::to_string(completed));
}

TEST_F(ShutdownSignals, IdleWorkerExitsZeroPromptly) {
    Process worker = start("worker", config("concurrency = 4\n"));
    wait_registered(worker);
    const auto [status, took] = signal_and_wait(worker, SIGTERM, 5s);
    EXPECT_EQ(status, exited_with(0)) << worker.stderr_text();
    std::printf("[ shutdown ] idle worker: exit %.3f s after SIGTERM\n", took);
}

TEST_F(ShutdownSignals, SigtstpMakesTheWorkerQuietAndSigtermThenStopsIt) {
    Process worker = start("worker", config("concurrency = 2\nshutdown_timeout = 2s\n"));
    const std::string wid = wait_registered(worker);
    push("before", "Jobs::Noop", "{}");
    wait_until([&] { return redis_.integer({"ZCARD", key("completed")}) == 1; }, kDeadline, "the first job to complete");
    worker.send_signal(SIGTSTP);
    wait_until([&] { return state(wid) == "quiet"; }, kDeadline, "the registry to say state = quiet");
    for (const char* id : {"q-1", "q-2", "q-3"}) push(id, "Jobs::Noop", "{}");
    // Longer than a BLMOVE block (2 s): nothing may move the jobs out of ready.
    EXPECT_FALSE(try_wait_until([&] { return ready().size() != 3; }, 2500ms))
        << "a quiet worker took jobs: ready " << testing::PrintToString(ready()) << ", reserved "
        << testing::PrintToString(redis_.strings({"LRANGE", key("reserved", wid + ":default"), "0", "-1"}))
        << "\n" << worker.stderr_text();
    EXPECT_TRUE(worker.is_running()) << "SIGTSTP must not stop the worker";
    EXPECT_EQ(redis_.integer({"ZCARD", key("completed")}), 1);
    EXPECT_EQ(state(wid), "quiet");

    const auto [status, took] = signal_and_wait(worker, SIGTERM, 2s + 5s);
    EXPECT_EQ(status, exited_with(0)) << worker.stderr_text();
    EXPECT_EQ(ready(), (std::vector<std::string>{"q-1", "q-2", "q-3"})) << "jobs enqueued to a quiet worker were lost";
    EXPECT_EQ(redis_.strings({"KEYS", key("reserved", "*")}), std::vector<std::string>{});
}

TEST_F(ShutdownSignals, SigusrOneAlsoMakesTheWorkerQuiet) {
    Process worker = start("worker", config("concurrency = 2\nshutdown_timeout = 2s\n"));
    const std::string wid = wait_registered(worker);
    worker.send_signal(SIGUSR1);
    wait_until([&] { return state(wid) == "quiet"; }, kDeadline, "the registry to say state = quiet");
    push("u-1", "Jobs::Noop", "{}");
    EXPECT_FALSE(try_wait_until([&] { return ready().size() != 1; }, 2500ms))
        << "a quiet worker took a job: ready " << testing::PrintToString(ready()) << "\n" << worker.stderr_text();
    EXPECT_TRUE(worker.is_running());
    const auto [status, took] = signal_and_wait(worker, SIGTERM, 2s + 5s);
    EXPECT_EQ(status, exited_with(0)) << worker.stderr_text();
    EXPECT_EQ(ready(), std::vector<std::string>{"u-1"});
    EXPECT_EQ(redis_.strings({"KEYS", key("reserved", "*")}), std::vector<std::string>{});
}

TEST_F(ShutdownSignals, JobsEnqueuedWhileTheWorkerDrainsStayInReady) {
    // Concurrency 2 with one job running: the free slot has a BLMOVE armed when SIGTERM comes.
    Process worker = start("worker", config("concurrency = 2\nshutdown_timeout = 10s\n"));
    const std::string wid = wait_registered(worker);
    push("draining", "Jobs::Nap", R"({"sleep": 2.5})");
    wait_performing(worker, "draining");
    worker.send_signal(SIGTERM);
    wait_until([&] { return worker.stderr_text().find("stopping") != std::string::npos; }, kDeadline,
               "the worker to log that it is stopping");
    for (const char* id : {"d-1", "d-2"}) push(id, "Jobs::Noop", "{}");
    const auto status = worker.wait_exit(10s + 5s);
    EXPECT_EQ(status, exited_with(0)) << worker.stderr_text();
    EXPECT_EQ(redis_.integer({"ZCARD", key("completed")}), 1) << "the running job finishes";
    EXPECT_EQ(ready(), (std::vector<std::string>{"d-1", "d-2"}))
        << "jobs enqueued during the drain left ready:default; reserved: "
        << testing::PrintToString(redis_.strings({"LRANGE", key("reserved", wid + ":default"), "0", "-1"}))
        << " (the worker has unregistered: no watcher will ever return them)";
    EXPECT_EQ(redis_.strings({"KEYS", key("reserved", "*")}), std::vector<std::string>{});
}

TEST_F(ShutdownSignals, SecondSigintExitsAtOnceAndAWatcherRecoversTheRunningJob) {
    const auto cfg = config("concurrency = 1\nshutdown_timeout = 30s\n");
    Process watcher = start("watcher", cfg);
    Process worker = start("worker", cfg);
    const std::string wid = wait_registered(worker);
    push("long", "Jobs::Nap", R"({"sleep": 60})");
    wait_performing(worker, "long");
    const std::string aid = redis_.strings({"SMEMBERS", key("processing")}).at(0);
    worker.send_signal(SIGINT);
    wait_until([&] { return state(wid) == "stopping"; }, kDeadline, "the registry to say state = stopping");
    EXPECT_TRUE(worker.is_running()) << "one SIGINT must wait for the running job (shutdown_timeout 30 s)";
    const auto [status, took] = signal_and_wait(worker, SIGINT, 5s);
    ASSERT_TRUE(status.has_value()) << "a second SIGINT did not end the worker within 5 s (shutdown_timeout 30 s)";
    EXPECT_EQ(*status, exited_with(1)) << worker.stderr_text();
    std::printf("[ shutdown ] second SIGINT: exit %.3f s after it\n", took);

    // The job it left running is recovered once its lease ends.
    wait_until([&] { return redis_.optional_string({"HGET", key("attempts", aid), "err"}) == "Worker Timeout"; }, kDeadline,
               "the watcher to fail the abandoned attempt with Worker Timeout");
    EXPECT_EQ(ready(), std::vector<std::string>{"long"});
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
}

TEST_F(ShutdownSignals, SigtermWhileRedisIsOutOfMemoryLosesNoJob) {
    const auto cfg = config("concurrency = 1\nprefetch = 2\nadaptive_prefetch = false\nshutdown_timeout = 500ms\n");
    Process worker = start("worker", cfg);
    wait_registered(worker);
    push("running", "Jobs::Nap", R"({"sleep": 60})");
    wait_performing(worker, "running");
    push("prefetched-1", "Jobs::Noop", "{}");
    push("prefetched-2", "Jobs::Noop", "{}");
    wait_until([&] { return redis_.integer({"SCARD", key("processing")}) == 3; }, kDeadline,
               "the two prefetched jobs to be claimed");
    redis_.command({"CONFIG", "SET", "maxmemory-policy", "noeviction"});
    redis_.command({"CONFIG", "SET", "maxmemory", "1"});
    const auto [status, took] = signal_and_wait(worker, SIGTERM, 500ms + 5s);
    EXPECT_EQ(status, exited_with(0)) << worker.stderr_text();
    redis_.command({"CONFIG", "SET", "maxmemory", "0"});

    // A watcher and a new worker must get every job done, whatever the stopped worker managed
    // to write (it may still be registered, then its lease ends and the watcher recovers it).
    Process watcher = start("watcher", cfg);
    Process second = start("worker", config("concurrency = 2\nshutdown_timeout = 1s\n"));
    push("after", "Jobs::Noop", "{}");
    std::set<std::string> done;
    const bool all = try_wait_until(
        [&] {
            done.clear();
            for (const auto& aid : redis_.strings({"ZRANGE", key("completed"), "0", "-1"}))
                done.insert(redis_.optional_string({"HGET", key("attempts", aid), "job"}).value_or(""));
            return done.count("prefetched-1") && done.count("prefetched-2") && done.count("after") &&
                   redis_.integer({"SCARD", key("processing")}) <= 1;
        },
        kDeadline);
    EXPECT_TRUE(all) << timeout_message(kDeadline, "the prefetched jobs to complete after the OOM")
                     << ": completed " << testing::PrintToString(done) << ", processing "
                     << testing::PrintToString(redis_.strings({"SMEMBERS", key("processing")})) << ", ready "
                     << testing::PrintToString(ready()) << ", workers "
                     << testing::PrintToString(redis_.strings({"ZRANGE", std::string(kNs) + ":workers", "0", "-1"}))
                     << "\nstopped worker:\n" << worker.stderr_text();
    // The 60 s nap is running again (or waiting), not stranded in processing of a gone worker.
    const auto live = redis_.strings({"ZRANGE", std::string(kNs) + ":workers", "0", "-1"});
    for (const auto& aid : redis_.strings({"SMEMBERS", key("processing")})) {
        const auto wid = redis_.optional_string({"HGET", key("attempts", aid), "wid"}).value_or("<none>");
        EXPECT_TRUE(std::find(live.begin(), live.end(), wid) != live.end())
            << "attempt " << aid << " stays in processing for worker " << wid << ", which is gone";
    }
    EXPECT_EQ(second.terminate(10s), exited_with(0)) << second.stderr_text();
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
}

}  // namespace
}  // namespace onyx::test
