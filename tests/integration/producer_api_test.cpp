// The C++ producer API (onyx_background::Client, plugin-sdk/include/onyx_background/client.hpp)
// against a real redis-server and the real worker: enqueue and enqueue_many write the job hash
// (que cls arg qat [pat]) and ready:<q> / scheduled:<q> exactly as the Crystal Manager does, the
// worker runs what they wrote, a bad request throws ClientError before anything is written, and
// an unreachable Redis throws ClientError naming the endpoint.
#include "support/free_port.hpp"
#include "support/onyx_daemon.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/redis_client.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

#include <onyx_background/client.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

namespace onyx::test {
namespace {

using namespace std::chrono_literals;
using onyx_background::Client;
using onyx_background::ClientError;
using onyx_background::JobRequest;

constexpr auto kDeadline = 10s;
const std::string kNs = "onyx-background";

class ProducerApi : public ::testing::Test {
protected:
    ProducerApi() { write_file_text(config_, ""); }

    Client client(const std::string& ns = kNs) { return Client({server_.url(), ns, 5000}); }

    Process start_worker(const std::string& queues, const std::string& ns = kNs) {
        return Process({std::string(paths::onyx_bin), "worker", "-r", server_.url(), "-n", ns, "--config",
                        config_.string(), "--plugins", std::string(paths::example_plugin_dir), "-q", queues, "-c",
                        "2", "--log-level", "debug"});
    }

    // The ids of the jobs whose attempts are in completed:<queue>.
    std::set<std::string> completed_jobs(const std::string& queue, const std::string& ns = kNs) {
        std::set<std::string> jobs;
        for (const auto& aid : redis_.strings({"ZRANGE", ns + ":completed:" + queue, "0", "-1"}))
            jobs.insert(redis_.get_string({"HGET", ns + ":attempts:" + aid, "job"}));
        return jobs;
    }

    void wait_completed(const std::string& queue, const std::set<std::string>& ids, const std::string& ns = kNs) {
        wait_until([&] { return completed_jobs(queue, ns) == ids; }, kDeadline,
                   std::to_string(ids.size()) + " jobs to complete in " + ns + ":completed:" + queue);
    }

    RedisServer server_;
    RedisClient redis_{server_.port()};
    TempDir tmp_{"onyx-witest"};
    std::filesystem::path config_ = tmp_.file("empty.ini");
};

TEST_F(ProducerApi, EnqueueWritesTheManagersFieldsAndTheJobRuns) {
    const int64_t before = wall_ms();
    const std::string id = client().enqueue({"Jobs::Nap", R"({"sleep":0.01})", "mail-ü"});
    const int64_t after = wall_ms();
    const auto job = redis_.hgetall(kNs + ":jobs:" + id);
    EXPECT_EQ(job.at("que"), "mail-ü");
    EXPECT_EQ(job.at("cls"), "Jobs::Nap");
    EXPECT_EQ(job.at("arg"), R"({"sleep":0.01})");
    EXPECT_GE(std::stoll(job.at("qat")), before);
    EXPECT_LE(std::stoll(job.at("qat")), after);
    EXPECT_EQ(job.count("pat"), 0u);
    EXPECT_EQ(redis_.strings({"LRANGE", kNs + ":ready:mail-ü", "0", "-1"}), std::vector<std::string>{id});
    EXPECT_EQ(redis_.integer({"SISMEMBER", kNs + ":queues", "mail-ü"}), 1);

    Process worker = start_worker("mail-ü");
    wait_completed("mail-ü", {id});
    EXPECT_TRUE(worker.is_running()) << worker.stderr_text();
}

TEST_F(ProducerApi, EnqueueManyKeepsOrderPerQueueAndAllRun) {
    std::vector<JobRequest> requests;
    for (int i = 0; i < 6; ++i) requests.push_back({"Jobs::Noop", "{}", i % 2 ? "b.q" : "a:q"});
    Client producer = client();
    const auto ids = producer.enqueue_many(requests);
    ASSERT_EQ(ids.size(), 6u);
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 6u);
    EXPECT_EQ(redis_.strings({"LRANGE", kNs + ":ready:a:q", "0", "-1"}), (std::vector<std::string>{ids[0], ids[2], ids[4]}));
    EXPECT_EQ(redis_.strings({"LRANGE", kNs + ":ready:b.q", "0", "-1"}), (std::vector<std::string>{ids[1], ids[3], ids[5]}));
    for (size_t i = 0; i < ids.size(); ++i)
        EXPECT_EQ(redis_.get_string({"HGET", kNs + ":jobs:" + ids[i], "que"}), requests[i].queue);

    Process worker = start_worker("a:q,b.q");
    wait_completed("a:q", {ids[0], ids[2], ids[4]});
    wait_completed("b.q", {ids[1], ids[3], ids[5]});
}

TEST_F(ProducerApi, ABacklogOfManyJobsAllRunOnceAndTheCountersAgree) {
    std::vector<JobRequest> requests(300, JobRequest{"Jobs::Noop", "{}", "bulk"});
    const auto ids = client().enqueue_many(requests);
    ASSERT_EQ(ids.size(), 300u);
    Process worker = start_worker("bulk");
    wait_completed("bulk", std::set<std::string>(ids.begin(), ids.end()));
    EXPECT_EQ(redis_.integer({"ZCARD", kNs + ":completed:bulk"}), 300) << "a job ran twice";
    EXPECT_EQ(redis_.get_string({"HGET", kNs + ":stats:bulk", "completed"}), "300");
    EXPECT_EQ(redis_.integer({"EXISTS", kNs + ":processing:bulk", kNs + ":ready:bulk", kNs + ":failed:bulk"}), 0);
}

TEST_F(ProducerApi, RunAtInTheFutureIsScheduledAndInThePastIsReady) {
    const int64_t later = wall_ms() + 3600 * 1000;
    Client producer = client();
    const std::string delayed = producer.enqueue({"Jobs::Noop", "{}", "default", later});
    const std::string past = producer.enqueue({"Jobs::Noop", "{}", "default", int64_t{1000}});
    EXPECT_EQ(redis_.get_string({"HGET", kNs + ":jobs:" + delayed, "pat"}), std::to_string(later));
    EXPECT_EQ(redis_.get_string({"ZSCORE", kNs + ":scheduled:default", delayed}), std::to_string(later));
    EXPECT_EQ(redis_.strings({"LRANGE", kNs + ":ready:default", "0", "-1"}), std::vector<std::string>{past});
    EXPECT_TRUE(redis_.command({"ZSCORE", kNs + ":scheduled:default", past}).is_nil());

    Process worker = start_worker("default");
    wait_completed("default", {past});
    EXPECT_EQ(redis_.integer({"ZCARD", kNs + ":scheduled:default"}), 1) << "the delayed job ran early";
}

TEST_F(ProducerApi, ABadRequestThrowsAndWritesNothing) {
    Client producer = client();
    const std::vector<std::pair<JobRequest, std::string>> cases = {
        {{"", "{}", "default"}, "job class is empty"},
        {{"Jobs::Noop", "{oops", "default"}, "invalid JSON"},
        {{"Jobs::Noop", "{}", "a,b"}, "','"},
        {{"Jobs::Noop", "{}", ""}, "queue name is empty"},
        {{"Jobs::Noop", "{}", "tab\there"}, "control character"},
    };
    for (const auto& [request, problem] : cases) {
        // The bad one comes second: validation must refuse the whole batch up front.
        try {
            producer.enqueue_many({{"Jobs::Noop", "{}", "default"}, request});
            ADD_FAILURE() << "no ClientError for '" << problem << "'";
        } catch (const ClientError& e) {
            EXPECT_NE(std::string(e.what()).find(problem), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("job 2"), std::string::npos) << e.what();
        }
    }
    EXPECT_EQ(redis_.strings({"KEYS", "*"}), std::vector<std::string>{});
}

TEST_F(ProducerApi, UnreachableRedisThrowsNamingTheEndpoint) {
    const int port = find_free_port();
    try {
        Client dead({"redis://127.0.0.1:" + std::to_string(port) + "/0", kNs, 1000});
        dead.enqueue({"Jobs::Noop"});
        FAIL() << "no ClientError";
    } catch (const ClientError& e) {
        EXPECT_NE(std::string(e.what()).find(std::to_string(port)), std::string::npos) << e.what();
    }
}

TEST_F(ProducerApi, NamespaceOptionPrefixesEveryKeyAndMatchingWorkerRunsIt) {
    const std::string id = client("tenant-7").enqueue({"Jobs::Noop"});
    EXPECT_EQ(redis_.integer({"EXISTS", "tenant-7:jobs:" + id}), 1);
    EXPECT_EQ(redis_.strings({"KEYS", kNs + ":*"}), std::vector<std::string>{});
    Process worker = start_worker("default", "tenant-7");
    wait_completed("default", {id}, "tenant-7");
}

}  // namespace
}  // namespace onyx::test
