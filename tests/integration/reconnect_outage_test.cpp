// Redis outages (issue 4, "done when" 5), against a real redis-server and the real binaries:
// - Redis stopped for 10 s under load (appendonly yes, so the data survives the stop) and
//   started again on the same port: the same worker resumes by itself; worker and watcher each
//   use < 2% of one core while Redis is down (utime + stime from /proc/<pid>/stat over the
//   outage); every job has exactly one completed attempt and no attempt failed (a claim whose
//   reply Redis never sent before stopping is adopted, not handed back as "Claim Lost"); the
//   Naps that ran across the stop finished during the outage and their completions (fin inside
//   the outage) were written once Redis was back.
// - -OOM: with maxmemory below used memory (noeviction) the claim script is refused whole: the
//   queued jobs stay in ready:<q>, no attempt is written, the worker does not spin (< 5% CPU)
//   and logs the refusal once, not per retry; after CONFIG SET maxmemory 0 every job runs once.
// - -READONLY (the server turned into a replica, as after a failover): same, then REPLICAOF NO
//   ONE and every job runs once.
#include "support/onyx_daemon.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/queue_state.hpp"
#include "support/redis_client.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"
#include "support/free_port.hpp"

#include <onyx_background/client.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace onyx::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kNs = "reconnect";
constexpr auto kDeadline = 30s;

std::string key(std::string_view kind, std::string_view id = "default") { return ns_key(kNs, kind, id); }

// Lease 10 s: above the outage plus the reconnect delay (backoff capped at 5 s), so a live
// worker is never judged dead because of the outage.
std::string write_config(const TempDir& dir, const RedisServer& server) {
    return write_onyx_config(dir, server, kNs,
                             "[worker]\nconcurrency = 8\nshutdown_timeout = 5s\nheartbeat_interval = 500ms\n"
                             "lease = 10s\nplugins = " + std::string(paths::example_plugin_dir) +
                                 "\n[watcher]\ninterval = 200ms\n[log]\nlevel = info\n");
}

TEST(ReconnectOutage, RedisDownTenSecondsUnderLoadWorkerResumesWithoutSpinningAndLosesNothing) {
    RedisServer server(RedisServerOptions{.appendonly = true});
    TempDir dir;
    const auto config = write_config(dir, server);
    RedisClient redis(server.port());
    Process watcher = start_onyx("watcher", config);
    Process worker = start_onyx("worker", config);
    const std::string wid = wait_worker_registered(redis, kNs, worker, kDeadline);

    // Noops and Naps of 1-3 s: the Naps running at the stop finish during the outage.
    constexpr size_t kJobs = 3000;
    std::vector<onyx_background::JobRequest> requests(kJobs, {"Jobs::Noop"});
    for (size_t i = 0; i < kJobs; i += 25) {
        requests[i].job_class = "Jobs::Nap";
        requests[i].args_json = R"({"sleep": )" + std::to_string(1.0 + static_cast<double>(i % 3)) + "}";
    }
    onyx_background::Client producer({server.url(), kNs});
    const auto ids = producer.enqueue_many(requests);
    wait_until([&] { return redis.integer({"ZCARD", key("completed")}) >= 200 && redis.integer({"SCARD", key("processing")}) >= 1; },
               kDeadline, "200 completed jobs while some are running");

    server.stop();
    const int64_t down_ms = wall_ms();
    const auto down_at = Clock::now();
    const double worker_cpu_before = cpu_seconds(worker.pid());
    const double watcher_cpu_before = cpu_seconds(watcher.pid());
    std::this_thread::sleep_for(10s);  // the outage and the measurement window
    const double worker_cpu = cpu_seconds(worker.pid()) - worker_cpu_before;
    const double watcher_cpu = cpu_seconds(watcher.pid()) - watcher_cpu_before;
    const double window = std::chrono::duration<double>(Clock::now() - down_at).count();
    std::printf("[ reconnect ] CPU while Redis was down %.1f s: worker %.3f s (%.2f%%), watcher %.3f s (%.2f%%)\n",
                window, worker_cpu, 100 * worker_cpu / window, watcher_cpu, 100 * watcher_cpu / window);
    EXPECT_LT(worker_cpu / window, 0.02) << "the worker used " << worker_cpu << " s of CPU in " << window << " s";
    EXPECT_LT(watcher_cpu / window, 0.02) << "the watcher used " << watcher_cpu << " s of CPU in " << window << " s";
    ASSERT_TRUE(worker.is_running()) << worker.stderr_text();
    ASSERT_TRUE(watcher.is_running()) << watcher.stderr_text();

    server.start();
    const int64_t up_ms = wall_ms();
    redis.reconnect();
    ASSERT_LT(redis.integer({"ZCARD", key("completed")}), static_cast<long long>(kJobs)) << "all done before the stop";
    const bool settled = try_wait_until(
        [&] {
            return redis.integer({"ZCARD", key("completed")}) >= static_cast<long long>(kJobs) &&
                   redis.integer({"SCARD", key("processing")}) == 0 && redis.integer({"LLEN", key("ready")}) == 0;
        },
        60s);
    ASSERT_TRUE(settled) << timeout_message(60s, "every job to complete after Redis came back") << ": "
                         << queue_leftovers(redis, kNs) << "\nworker stderr:\n" << worker.stderr_text();
    EXPECT_TRUE(each_completed_once(redis, kNs, ids));

    // Completions that happened while Redis was down were kept and written afterwards.
    size_t during_outage = 0;
    for (const auto& a : list_attempts(redis, kNs, key("completed")))
        if (std::stoll(a.fin) > down_ms && std::stoll(a.fin) < up_ms) ++during_outage;
    std::printf("[ reconnect ] %zu completions finished during the outage and were written after it\n", during_outage);
    EXPECT_GE(during_outage, 1u) << "no job finished during the outage: the test proves nothing about kept completions";
    EXPECT_EQ(redis.strings({"ZRANGE", std::string(kNs) + ":workers", "0", "-1"}), std::vector<std::string>{wid})
        << "the worker is not the same live, registered worker after the outage";
    // One log line per state change, not per retry (10 s of retries would be dozens).
    const std::string log = worker.stderr_text();
    size_t lost_lines = 0;
    for (size_t at = log.find("retrying with backoff"); at != std::string::npos; at = log.find("retrying with backoff", at + 1))
        ++lost_lines;
    EXPECT_LE(lost_lines, 2u * 3) << "more than one 'down' line per connection:\n" << log;

    EXPECT_EQ(worker.terminate(10s), exited_with(0)) << worker.stderr_text();
    EXPECT_EQ(watcher.terminate(10s), exited_with(0)) << watcher.stderr_text();
}

// Queued jobs while Redis refuses writes (`refuse`), then accepts them again (`accept`):
// the claims are refused whole, the worker neither spins nor loses anything.
void refused_claims_then_recovery(const std::string& what, const std::function<void(RedisClient&)>& refuse,
                                  const std::function<void(RedisClient&)>& accept, const std::string& error_word) {
    RedisServer server;
    TempDir dir;
    const auto config = write_config(dir, server);
    RedisClient redis(server.port());
    // The queue is paused (until 2 s after the worker started: the pause expires, as a replica cannot take an SREM) while
    // jobs are queued and Redis starts refusing, so that no claim takes them before; a paused
    // queue is skipped by the claim and gets no BLMOVE.
    redis.command({"SADD", std::string(kNs) + ":paused", "default"});
    Process worker = start_onyx("worker", config);
    wait_worker_registered(redis, kNs, worker, kDeadline);
    redis.command({"PEXPIRE", std::string(kNs) + ":paused", "2000"});
    onyx_background::Client producer({server.url(), kNs});
    const auto ids = producer.enqueue_many(std::vector<onyx_background::JobRequest>(500, {"Jobs::Noop"}));
    refuse(redis);
    wait_until([&] { return redis.integer({"EXISTS", std::string(kNs) + ":paused"}) == 0; }, kDeadline,
               "the pause of queue default to expire");
    wait_until([&] { return worker.stderr_text().find(error_word) != std::string::npos; }, kDeadline,
               "the worker to log a claim refused with " + error_word);

    const auto from = Clock::now();
    const double cpu_before = cpu_seconds(worker.pid());
    std::this_thread::sleep_for(3s);  // a window over several claim attempts (one per heartbeat)
    const double cpu = cpu_seconds(worker.pid()) - cpu_before;
    const double window = std::chrono::duration<double>(Clock::now() - from).count();
    std::printf("[ reconnect ] %s: worker CPU %.3f s in %.1f s (%.2f%%)\n", what.c_str(), cpu, window, 100 * cpu / window);
    EXPECT_LT(cpu / window, 0.05) << "the worker spins while claims are refused";
    EXPECT_EQ(redis.integer({"LLEN", key("ready")}), 500) << "a refused claim took jobs out of ready";
    EXPECT_EQ(redis.integer({"SCARD", key("processing")}), 0);
    EXPECT_EQ(redis.strings({"KEYS", key("attempts", "*")}), std::vector<std::string>{}) << "a refused claim wrote attempts";
    EXPECT_EQ(redis.strings({"KEYS", key("reserved", "*")}), std::vector<std::string>{});
    const std::string log = worker.stderr_text();
    size_t claim_lines = 0;
    for (size_t at = log.find("claim failed: "); at != std::string::npos; at = log.find("claim failed: ", at + 1)) ++claim_lines;
    EXPECT_EQ(claim_lines, 1u) << "the refused claim should be logged once, not per retry:\n" << log;
    ASSERT_TRUE(worker.is_running()) << log;

    accept(redis);
    const bool done = try_wait_until([&] { return redis.integer({"ZCARD", key("completed")}) >= 500; }, kDeadline);
    ASSERT_TRUE(done) << timeout_message(kDeadline, "the 500 jobs to run once Redis accepts writes again") << ": "
                      << queue_leftovers(redis, kNs) << "\n" << worker.stderr_text();
    EXPECT_TRUE(each_completed_once(redis, kNs, ids));
    EXPECT_NE(worker.stderr_text().find("claim works again after"), std::string::npos) << worker.stderr_text();
    EXPECT_EQ(worker.terminate(10s), exited_with(0)) << worker.stderr_text();
}

TEST(ReconnectOutage, OomRefusesTheClaimWholeAndTheWorkerRecoversAfterMaxmemoryIsLifted) {
    refused_claims_then_recovery(
        "-OOM",
        [](RedisClient& redis) {
            redis.command({"CONFIG", "SET", "maxmemory-policy", "noeviction"});
            redis.command({"CONFIG", "SET", "maxmemory", "1"});
            ASSERT_TRUE(redis.command_raw({"SET", "probe", "x"}).is_error()) << "Redis still accepts writes";
        },
        [](RedisClient& redis) { redis.command({"CONFIG", "SET", "maxmemory", "0"}); }, "OOM");
}

TEST(ReconnectOutage, ReadonlyReplicaRefusesTheClaimWholeAndTheWorkerRecoversAfterPromotion) {
    const int nowhere = find_free_port();  // a master that never answers: the data stays
    refused_claims_then_recovery(
        "-READONLY",
        [nowhere](RedisClient& redis) {
            redis.command({"REPLICAOF", "127.0.0.1", std::to_string(nowhere)});
            ASSERT_TRUE(redis.command_raw({"SET", "probe", "x"}).is_error()) << "Redis still accepts writes";
        },
        [](RedisClient& redis) { redis.command({"REPLICAOF", "NO", "ONE"}); }, "READONLY");
}

// Nothing listens on the port: the daemons' one warning names the socket's error as the CLI
// does ("Connection refused"), not a bare "connection lost".
TEST(ReconnectOutage, ARefusedConnectionIsLoggedWithItsReason) {
    const std::string url = "redis://127.0.0.1:" + std::to_string(find_free_port()) + "/0";
    for (const char* role : {"watcher", "worker"}) {
        std::vector<std::string> argv = {std::string(paths::onyx_bin), role, "-r", url};
        if (std::string(role) == "worker") argv.insert(argv.end(), {"--plugins", std::string(paths::example_plugin_dir)});
        Process daemon(argv);
        wait_until([&] { return daemon.stderr_text().find("cannot connect to") != std::string::npos; }, 10s,
                   std::string(role) + " to log that it cannot connect");
        EXPECT_NE(daemon.stderr_text().find("cannot connect to " + url + ": Connection refused"), std::string::npos)
            << daemon.stderr_text();
        EXPECT_EQ(daemon.terminate(10s), exited_with(0)) << daemon.stderr_text();
    }
}

}  // namespace
}  // namespace onyx::test
