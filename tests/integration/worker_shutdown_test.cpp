// SIGTERM on the real worker: an idle worker exits 0 promptly and unregisters from
// <ns>:workers (and its <ns>:worker:<wid> hash goes); a worker running a Jobs::Nap lets the job
// complete, records it, leaves unclaimed jobs in ready:<q>, then exits 0.
// With prefetch, claimed but unstarted jobs go back to the head of ready:<q> in their order;
// past shutdown_timeout a running job is handed back (attempt err "Shutdown").
// The deadlines are generous bounds against a hang, not speed assertions.
#include "support/onyx_daemon.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/redis_client.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <string>
#include <vector>

namespace onyx::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kDeadline = 10s;
const std::string kNs = "onyx-background";

class WorkerShutdown : public ::testing::Test {
protected:
    WorkerShutdown() { write_file_text(config_, ""); }

    Process start_worker(int concurrency, const std::string& config_text = "") {
        write_file_text(config_, config_text);
        return Process({std::string(paths::onyx_bin), "worker", "-r", server_.url(), "--config", config_.string(),
                        "--plugins", std::string(paths::example_plugin_dir), "-q", "default", "-c",
                        std::to_string(concurrency), "--log-level", "debug"});
    }

    // Waits for the worker to register and returns its worker id.
    std::string wait_registered(Process& worker) {
        std::vector<std::string> ids;
        wait_until(
            [&] {
                EXPECT_TRUE(worker.is_running()) << worker.stderr_text();
                ids = redis_.strings({"ZRANGE", kNs + ":workers", "0", "-1"});
                return ids.size() == 1;
            },
            kDeadline, "the worker to register in " + kNs + ":workers");
        return ids.front();
    }

    // The job hash and RPUSH of a non-C++ producer.
    std::string push_job(const std::string& id, const std::string& cls, const std::string& arg) {
        redis_.command({"HSET", kNs + ":jobs:" + id, "que", "default", "cls", cls, "arg", arg, "qat",
                        std::to_string(wall_ms())});
        redis_.command({"RPUSH", kNs + ":ready:default", id});
        return id;
    }

    // Waits until the executor runs job `id`: claimed (in processing:<q>) is not yet running,
    // and a job claimed but not started is handed back at SIGTERM, by design.
    static void wait_performing(Process& worker, const std::string& id) {
        wait_until([&] { return worker.stderr_text().find("[" + id + "] Performing") != std::string::npos; },
                   kDeadline, "the worker's debug line saying it performs job " + id);
    }

    void expect_unregistered(const std::string& wid) {
        EXPECT_TRUE(redis_.command({"ZSCORE", kNs + ":workers", wid}).is_nil())
            << "the worker is still in " << kNs << ":workers";
        EXPECT_EQ(redis_.integer({"EXISTS", kNs + ":worker:" + wid}), 0) << "worker hash left behind";
    }

    RedisServer server_;
    RedisClient redis_{server_.port()};
    TempDir tmp_{"onyx-witest"};
    std::filesystem::path config_ = tmp_.file("empty.ini");
};

TEST_F(WorkerShutdown, IdleWorkerExitsZeroAndUnregisters) {
    Process worker = start_worker(4);
    const std::string wid = wait_registered(worker);
    EXPECT_EQ(redis_.integer({"EXISTS", kNs + ":worker:" + wid}), 1);
    worker.send_signal(SIGTERM);
    EXPECT_EQ(worker.wait_exit(5s), exited_with(0)) << worker.stderr_text();
    expect_unregistered(wid);
}

TEST_F(WorkerShutdown, RunningJobCompletesBeforeTheWorkerExits) {
    Process worker = start_worker(1);
    const std::string wid = wait_registered(worker);
    const std::string nap = push_job("10000000-0000-4000-8000-000000000001", "Jobs::Nap", R"({"sleep":1})");
    wait_performing(worker, nap);
    // Concurrency 1 is busy: this one stays in ready and must still be there after the stop.
    const std::string waiting = push_job("10000000-0000-4000-8000-000000000002", "Jobs::Noop", "{}");
    worker.send_signal(SIGTERM);
    EXPECT_EQ(worker.wait_exit(10s), exited_with(0)) << worker.stderr_text();

    const auto done = redis_.strings({"ZRANGE", kNs + ":completed:default", "0", "-1"});
    ASSERT_EQ(done.size(), 1u) << "the running job was not recorded as completed\n" << worker.stderr_text();
    const auto attempt = redis_.hgetall(kNs + ":attempts:" + done.front());
    EXPECT_EQ(attempt.at("job"), nap);
    EXPECT_EQ(attempt.count("err"), 0u) << attempt.at("err");
    EXPECT_GE(std::stod(attempt.at("tim")), 1000.0) << "the nap did not run to its end";
    EXPECT_EQ(redis_.integer({"ZCARD", kNs + ":failed:default"}), 0);
    EXPECT_EQ(redis_.integer({"SCARD", kNs + ":processing:default"}), 0);
    EXPECT_EQ(redis_.strings({"LRANGE", kNs + ":ready:default", "0", "-1"}), std::vector<std::string>{waiting});
    EXPECT_EQ(redis_.strings({"KEYS", kNs + ":reserved:*"}), std::vector<std::string>{});
    expect_unregistered(wid);
}

TEST_F(WorkerShutdown, PrefetchedJobsGoBackToTheHeadOfReadyInTheirOrder) {
    // Concurrency 1 plus prefetch 2: the nap runs, the next two are claimed but wait.
    Process worker = start_worker(1, "[worker]\nprefetch = 2\nadaptive_prefetch = false\n");
    const std::string wid = wait_registered(worker);
    const std::string nap = push_job("20000000-0000-4000-8000-000000000001", "Jobs::Nap", R"({"sleep":1})");
    wait_performing(worker, nap);
    const std::string second = push_job("20000000-0000-4000-8000-000000000002", "Jobs::Noop", "{}");
    const std::string third = push_job("20000000-0000-4000-8000-000000000003", "Jobs::Noop", "{}");
    wait_until([&] { return redis_.integer({"SCARD", kNs + ":processing:default"}) == 3; }, kDeadline,
               "the two prefetched attempts to be in processing:default");
    const std::string fourth = push_job("20000000-0000-4000-8000-000000000004", "Jobs::Noop", "{}");
    worker.send_signal(SIGTERM);
    EXPECT_EQ(worker.wait_exit(10s), exited_with(0)) << worker.stderr_text();
    EXPECT_EQ(redis_.strings({"LRANGE", kNs + ":ready:default", "0", "-1"}),
              (std::vector<std::string>{second, third, fourth}))
        << "handed-back jobs must keep their FIFO order at the head of ready";
    EXPECT_EQ(redis_.integer({"SCARD", kNs + ":processing:default"}), 0);
    EXPECT_EQ(redis_.integer({"ZCARD", kNs + ":completed:default"}), 1) << "the running nap completes";
    EXPECT_EQ(redis_.strings({"KEYS", kNs + ":reserved:*"}), std::vector<std::string>{});
    expect_unregistered(wid);
}

TEST_F(WorkerShutdown, PastTheShutdownTimeoutARunningJobIsHandedBack) {
    Process worker = start_worker(1, "[worker]\nshutdown_timeout = 300ms\n");
    const std::string wid = wait_registered(worker);
    const std::string nap = push_job("30000000-0000-4000-8000-000000000001", "Jobs::Nap", R"({"sleep":60})");
    wait_performing(worker, nap);
    const std::string aid = redis_.strings({"SMEMBERS", kNs + ":processing:default"}).front();
    worker.send_signal(SIGTERM);
    EXPECT_EQ(worker.wait_exit(10s), exited_with(0)) << worker.stderr_text();
    EXPECT_EQ(redis_.strings({"LRANGE", kNs + ":ready:default", "0", "-1"}), std::vector<std::string>{nap});
    EXPECT_EQ(redis_.integer({"SCARD", kNs + ":processing:default"}), 0);
    EXPECT_EQ(redis_.integer({"ZCARD", kNs + ":completed:default"}), 0);
    EXPECT_EQ(redis_.optional_string({"HGET", kNs + ":attempts:" + aid, "err"}), "Shutdown");
    EXPECT_EQ(redis_.integer({"EXISTS", kNs + ":jobs:" + nap}), 1) << "the job hash must survive";
    expect_unregistered(wid);
}

}  // namespace
}  // namespace onyx::test
