// Job timeouts (issue 4, "done when" 2), against a real redis-server and the real binaries:
// - a hung job (Jobs::Nap 30 s, [queue.default] timeout) is failed with err "Timeout" and
//   retried per policy until dead; other jobs run meanwhile and after: the worker stays healthy;
// - the job's `tmo` field wins over the queue's timeout; Jobs::Nap honours the cancellation
//   flag, so with concurrency 1 its slot is free soon after the timeout and the next job runs
//   (long before the 30 s the Nap asked for);
// - a handler that does not look at the flag (Files::Checksum blocked opening a FIFO nobody
//   writes) is failed with "Timeout" at once but keeps its slot: with concurrency 1 the next
//   job stays in ready until the handler returns (the test then feeds the FIFO); the late
//   outcome is dropped, the attempt stays failed.
// Deadlines are generous bounds against a hang, not speed assertions.
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

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace onyx::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kNs = "timeout";
constexpr auto kDeadline = 20s;

std::string key(std::string_view kind, std::string_view id = "default") { return ns_key(kNs, kind, id); }

long long to_ll(const std::string& text) { return std::stoll(text); }

std::string field(const std::map<std::string, std::string>& hash, const std::string& name) {
    const auto it = hash.find(name);
    return it == hash.end() ? "<none>" : it->second;
}

class TimeoutHungJob : public ::testing::Test {
protected:
    TimeoutHungJob() : redis_(server_.port()) {}

    ~TimeoutHungJob() override {
        if (worker_ && worker_->is_running()) {
            EXPECT_EQ(worker_->terminate(15s), exited_with(0)) << worker_->stderr_text();
        }
        if (watcher_ && watcher_->is_running()) {
            EXPECT_EQ(watcher_->terminate(10s), exited_with(0)) << watcher_->stderr_text();
        }
    }

    void start(int concurrency, const std::string& queue_section) {
        write_file_text(config_, "[redis]\nurl = " + server_.url() + "\nnamespace = " + kNs +
                                     "\n[worker]\nconcurrency = " + std::to_string(concurrency) +
                                     "\nshutdown_timeout = 1s\nheartbeat_interval = 200ms\nlease = 3s\nplugins = " +
                                     std::string(paths::example_plugin_dir) +
                                     "\n[watcher]\ninterval = 100ms\n[queue.default]\n" + queue_section +
                                     "[log]\nlevel = debug\n");
        watcher_.emplace(start_onyx("watcher", config_.string()));
        worker_.emplace(start_onyx("worker", config_.string()));
        wid_ = wait_worker_registered(redis_, kNs, *worker_, kDeadline);
    }

    std::string enqueue(const std::string& cls, const std::string& args) {
        onyx_background::Client producer({server_.url(), kNs});
        return producer.enqueue({cls, args});
    }

    // A job written as a non-C++ producer would, with extra fields (e.g. tmo, rty).
    std::string push(const std::string& id, const std::string& cls, const std::string& args,
                     std::vector<std::string> extra = {}) {
        std::vector<std::string> hset = {"HSET", key("jobs", id), "que", "default", "cls", cls, "arg", args, "qat", "1"};
        hset.insert(hset.end(), extra.begin(), extra.end());
        redis_.command(hset);
        redis_.command({"RPUSH", key("ready"), id});
        return id;
    }

    std::map<std::string, std::string> job(const std::string& id) { return redis_.hgetall(key("jobs", id)); }

    std::vector<std::map<std::string, std::string>> chain(const std::string& id) {
        return attempt_chain(redis_, kNs, id);
    }

    bool completed(const std::string& id) {
        const auto attempts = chain(id);
        return !attempts.empty() && redis_.optional_string({"ZSCORE", key("completed"), attempts.back().at("id")});
    }

    std::string where(const std::string& id) {
        return "job " + id + ": " + testing::PrintToString(job(id)) + ", attempts " + testing::PrintToString(chain(id)) +
               ", ready " + testing::PrintToString(redis_.strings({"LRANGE", key("ready"), "0", "-1"})) +
               "\nworker stderr:\n" + (worker_ ? worker_->stderr_text() : "");
    }

    RedisServer server_;
    RedisClient redis_;
    TempDir dir_;
    std::filesystem::path config_ = dir_.file("onyx.ini");
    std::optional<Process> watcher_;
    std::optional<Process> worker_;
    std::string wid_;
};

TEST_F(TimeoutHungJob, HungJobFailsWithTimeoutIsRetriedAndTheWorkerStaysHealthy) {
    start(2, "timeout = 1500ms\nretries = 1\nbackoff_base = 300ms\nbackoff_jitter = 0\n");
    const std::string hung = enqueue("Jobs::Nap", R"({"sleep": 30})");
    wait_until([&] { return redis_.integer({"SCARD", key("processing")}) == 1; }, kDeadline, "the hung job to start");

    // Meanwhile the other slot keeps working.
    std::vector<std::string> meanwhile;
    for (int i = 0; i < 5; ++i) meanwhile.push_back(enqueue("Jobs::Noop", "{}"));
    for (const auto& id : meanwhile)
        wait_until([&] { return completed(id); }, kDeadline, "no-op job " + id + " to complete beside the hung job");

    const bool dead = try_wait_until([&] { return redis_.optional_string({"ZSCORE", key("dead"), hung}).has_value(); },
                                     kDeadline);
    ASSERT_TRUE(dead) << timeout_message(kDeadline, "the hung job to time out twice and be dead") << "; " << where(hung);
    const auto attempts = chain(hung);
    ASSERT_EQ(attempts.size(), 2u) << where(hung);
    for (const auto& a : attempts) {
        EXPECT_EQ(field(a, "err"), "Timeout") << where(hung);
        EXPECT_NE(field(a, "msg").find("1500 ms"), std::string::npos) << field(a, "msg");
        EXPECT_TRUE(redis_.optional_string({"ZSCORE", key("failed"), a.at("id")}).has_value());
        const long long ran = to_ll(a.at("fin")) - to_ll(a.at("sta"));
        EXPECT_GE(ran, 1500) << "failed as timed out before its timeout";
        EXPECT_LT(ran, 1500 + 5000) << "the timeout came far too late";
    }
    const long long gap = to_ll(attempts[1].at("sta")) - to_ll(attempts[0].at("fin"));
    EXPECT_GE(gap, 300) << "the retry ran before its backoff";
    EXPECT_LT(gap, 300 + 5000);
    EXPECT_EQ(field(job(hung), "fal"), "2");
    for (const auto& id : meanwhile)
        EXPECT_LT(to_ll(chain(id).back().at("fin")), to_ll(attempts[0].at("fin")))
            << "job " << id << " did not run while the hung job held its slot";

    // And after.
    const std::string after = enqueue("Jobs::Noop", "{}");
    wait_until([&] { return completed(after); }, kDeadline, "a no-op job to complete after the hung job died");
    EXPECT_TRUE(worker_->is_running()) << worker_->stderr_text();
    EXPECT_EQ(redis_.integer({"SCARD", key("processing")}), 0) << where(hung);
    EXPECT_EQ(redis_.hgetall(key("stats")), (std::map<std::string, std::string>{{"completed", "6"}, {"failed", "2"}}));
}

TEST_F(TimeoutHungJob, JobTimeoutWinsAndACancelledNapFreesItsSlotForTheNextJob) {
    start(1, "timeout = 10s\nretries = 5\n");
    // tmo 300 ms beats the queue's 10 s; rty 0 makes the first timeout final.
    push("nap-job", "Jobs::Nap", R"({"sleep": 30})", {"tmo", "300", "rty", "0"});
    push("next-job", "Jobs::Noop", "{}");

    const bool dead = try_wait_until([&] { return redis_.optional_string({"ZSCORE", key("dead"), "nap-job"}).has_value(); },
                                     kDeadline);
    ASSERT_TRUE(dead) << timeout_message(kDeadline, "the nap to time out after its own 300 ms") << "; " << where("nap-job");
    const auto nap = chain("nap-job");
    ASSERT_EQ(nap.size(), 1u);
    EXPECT_EQ(field(nap[0], "err"), "Timeout");
    EXPECT_NE(field(nap[0], "msg").find("300 ms"), std::string::npos) << field(nap[0], "msg");
    const long long ran = to_ll(nap[0].at("fin")) - to_ll(nap[0].at("sta"));
    EXPECT_GE(ran, 300);
    EXPECT_LT(ran, 300 + 5000) << "the job's own timeout was not used";

    // The Nap sees the flag within one 10 ms step and returns: the only slot is free again,
    // long before the 30 s it asked for.
    wait_until([&] { return completed("next-job"); }, kDeadline, "the next job to run once the cancelled nap returned");
    const auto next = chain("next-job");
    EXPECT_GE(to_ll(next.back().at("sta")), to_ll(nap[0].at("sta")) + 300)
        << "the next job started while the nap still held the only slot";
    EXPECT_NE(worker_->stderr_text().find("handler returned"), std::string::npos) << worker_->stderr_text();
    // The nap's late outcome (JobCancelled) is dropped: the attempt stays as the timeout wrote it.
    EXPECT_EQ(field(redis_.hgetall(key("attempts", nap[0].at("id"))), "err"), "Timeout");
    EXPECT_EQ(redis_.integer({"ZCARD", key("failed")}), 1);
    EXPECT_EQ(redis_.integer({"ZCARD", key("completed")}), 1);
}

TEST_F(TimeoutHungJob, HandlerIgnoringCancellationKeepsItsSlotUntilItReturns) {
    start(1, "timeout = 500ms\nretries = 0\n");
    const auto fifo = dir_.file("blocked.fifo");
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
    // Files::Checksum blocks in open(2) of a FIFO without a writer: it cannot see the flag.
    const std::string blocked = enqueue("Files::Checksum", R"({"path": ")" + fifo.string() + R"(", "output": ")" +
                                                               dir_.file("out.crc32").string() + R"("})");
    const bool timed_out = try_wait_until([&] { return redis_.optional_string({"ZSCORE", key("dead"), blocked}).has_value(); },
                                          kDeadline);
    ASSERT_TRUE(timed_out) << timeout_message(kDeadline, "the blocked job to time out") << "; " << where(blocked);
    EXPECT_EQ(field(chain(blocked).at(0), "err"), "Timeout");

    // Its slot stays taken: a new job waits in ready while the handler is blocked. The
    // registry says so too (busy = 1 at the heartbeats after the timeout).
    const std::string next = enqueue("Jobs::Noop", "{}");
    EXPECT_FALSE(try_wait_until([&] { return redis_.integer({"LLEN", key("ready")}) == 0; }, 1500ms))
        << "the next job was claimed although the only slot is still held by a running handler; " << where(next);
    EXPECT_EQ(redis_.optional_string({"HGET", std::string(kNs) + ":worker:" + wid_, "busy"}), "1");
    EXPECT_FALSE(completed(next));

    // Let the handler return: write to the FIFO and close it (EOF).
    const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    ASSERT_GE(fd, 0) << "the handler has not opened the FIFO: " << std::strerror(errno);
    ASSERT_EQ(::write(fd, "data\n", 5), 5);
    ::close(fd);
    wait_until([&] { return completed(next); }, kDeadline, "the next job to run after the blocked handler returned");
    EXPECT_NE(worker_->stderr_text().find("handler returned"), std::string::npos) << worker_->stderr_text();
    // The late success is not recorded: the attempt stays failed with Timeout, the job dead.
    const auto attempt = chain(blocked).at(0);
    EXPECT_EQ(field(attempt, "err"), "Timeout");
    EXPECT_EQ(redis_.optional_string({"ZSCORE", key("completed"), attempt.at("id")}), std::nullopt);
    EXPECT_EQ(redis_.integer({"ZCARD", key("completed")}), 1);
    EXPECT_TRUE(worker_->is_running());
}

}  // namespace
}  // namespace onyx::test
