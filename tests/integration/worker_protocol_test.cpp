// The worker against the Redis layout of DESIGN.md section 2, end to end: a job written with
// plain Redis commands (as a non-C++ producer writes it) runs and leaves an exact attempt
// record (sta job wrk que fin tim, wrk = CLIENT ID of the bookkeeping connection named after
// the main one); a failing job lands in failed:<q> with its class name and message; bad jobs
// (unknown class, missing job hash, invalid JSON) fail with the documented `err` and one log
// line while the worker keeps running; queue names with '-', '.', ':' and non-ASCII letters
// work, in priority order; the files plugin does real work; -n isolates namespaces.
// Each test starts its own redis-server and the real onyx-background binary.
#include "support/onyx_daemon.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/redis_client.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace onyx::test {
namespace {

using namespace std::chrono_literals;
using Fields = std::map<std::string, std::string>;

constexpr auto kDeadline = 10s;  // generous: a loaded machine is slow, never wrong
const std::string kNs = "onyx-background";

// A fresh lowercase v4-shaped id for jobs the test writes by hand.
std::string make_id(int n) {
    static int counter = 0;
    char text[48];
    std::snprintf(text, sizeof text, "00000000-0000-4000-8000-%06d%06d", ++counter, n);
    return text;
}

// Enqueues exactly as the Crystal Manager does: HSET jobs:<id> que cls arg qat, RPUSH ready:<q>.
std::string push_raw_job(RedisClient& redis, const std::string& queue, const std::string& cls,
                         const std::string& arg, const std::string& ns = kNs) {
    const std::string id = make_id(0);
    redis.command({"HSET", ns_key(ns, "jobs", id), "que", queue, "cls", cls, "arg", arg, "qat",
                   std::to_string(wall_ms())});
    redis.command({"RPUSH", ns_key(ns, "ready", queue), id});
    return id;
}

// One finished attempt: its id and fields.
struct Attempt {
    std::string id;
    Fields fields;
    std::string get(const std::string& name) const {
        auto it = fields.find(name);
        return it == fields.end() ? "<absent>" : it->second;
    }
    bool has(const std::string& name) const { return fields.count(name) != 0; }
};

// The attempts listed in <ns>:<set>:<queue> (completed or failed), oldest first.
std::vector<Attempt> attempts_in(RedisClient& redis, const std::string& set, const std::string& queue,
                                 const std::string& ns = kNs) {
    std::vector<Attempt> out;
    for (const auto& aid : redis.strings({"ZRANGE", ns_key(ns, set, queue), "0", "-1"}))
        out.push_back({aid, redis.hgetall(ns_key(ns, "attempts", aid))});
    return out;
}

// Waits until an attempt of `job_id` is listed in <ns>:<set>:<queue> and returns it.
Attempt wait_attempt(RedisClient& redis, const std::string& set, const std::string& queue,
                     const std::string& job_id, const std::string& ns = kNs) {
    std::optional<Attempt> found;
    wait_until(
        [&] {
            for (auto& a : attempts_in(redis, set, queue, ns)) {
                if (a.get("job") == job_id) found = std::move(a);
            }
            return found.has_value();
        },
        kDeadline, "an attempt of job " + job_id + " in " + ns_key(ns, set, queue));
    return *found;
}

// CLIENT LIST as name -> id (clients without a name are left out).
std::map<std::string, std::string> clients_by_name(RedisClient& redis) {
    std::map<std::string, std::string> out;
    std::istringstream lines(redis.get_string({"CLIENT", "LIST"}));
    for (std::string line; std::getline(lines, line);) {
        std::string id, name;
        std::istringstream words(line);
        for (std::string word; words >> word;) {
            if (word.rfind("id=", 0) == 0) id = word.substr(3);
            if (word.rfind("name=", 0) == 0) name = word.substr(5);
        }
        if (!name.empty()) out[name] = id;
    }
    return out;
}

// Lines of `log` that contain every one of `needles`.
size_t count_lines(const std::string& log, std::initializer_list<std::string> needles) {
    size_t n = 0;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        if (std::all_of(needles.begin(), needles.end(),
                        [&](const std::string& s) { return line.find(s) != std::string::npos; }))
            ++n;
    }
    return n;
}

class WorkerProtocol : public ::testing::Test {
protected:
    WorkerProtocol() { write_file_text(config_, ""); }

    // The real binary: worker on `queues` with the example plugins, an empty config file.
    Process start_worker(const std::string& queues, int concurrency = 2,
                         std::vector<std::string> extra = {}) {
        std::vector<std::string> argv = {std::string(paths::onyx_bin), "worker", "-r", server_.url(),
                                         "--config", config_.string(), "--plugins",
                                         std::string(paths::example_plugin_dir), "-q", queues, "-c",
                                         std::to_string(concurrency), "--log-level", "debug"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return Process(argv);
    }

    // Asserts the worker still runs, printing its stderr when it does not.
    static void expect_running(Process& worker) {
        EXPECT_TRUE(worker.is_running()) << "worker ended: " << worker.exit_status()->describe()
                                         << "\n" << worker.stderr_text();
    }

    // Runs a Jobs::Noop through `worker` and waits for it: proof the worker still works.
    void expect_good_job_runs(Process& worker, const std::string& queue = "default") {
        const std::string id = push_raw_job(redis_, queue, "Jobs::Noop", "{}");
        const Attempt a = wait_attempt(redis_, "completed", queue, id);
        EXPECT_FALSE(a.has("err")) << a.get("err");
        expect_running(worker);
    }

    // Bad job `id` (already pushed) fails with `err`, logged once at ERROR naming the job.
    void expect_bad_job_fails(Process& worker, const std::string& id, const std::string& err) {
        const Attempt a = wait_attempt(redis_, "failed", "default", id);
        EXPECT_EQ(a.get("err"), err);
        EXPECT_FALSE(a.get("msg").empty()) << "failed attempt has no message";
        EXPECT_TRUE(a.has("fin")) << "a failed attempt records fin";
        EXPECT_EQ(redis_.integer({"SCARD", ns_key(kNs, "processing", "default")}), 0);
        wait_until([&] { return count_lines(worker.stderr_text(), {"ERROR", id}) >= 1; }, kDeadline,
                   "an ERROR log line naming job " + id);
        EXPECT_EQ(count_lines(worker.stderr_text(), {"ERROR", id}), 1u) << worker.stderr_text();
        EXPECT_EQ(count_lines(worker.stderr_text(), {"ERROR", id, err}), 1u) << worker.stderr_text();
        expect_running(worker);
        expect_good_job_runs(worker);
    }

    RedisServer server_;
    RedisClient redis_{server_.port()};
    TempDir tmp_{"onyx-witest"};
    std::filesystem::path config_ = tmp_.file("empty.ini");
};

TEST_F(WorkerProtocol, RawRedisJobRunsAndLeavesTheExactAttemptRecord) {
    const int64_t before = wall_ms();
    const std::string id = push_raw_job(redis_, "default", "Jobs::Noop", "{}");
    Process worker = start_worker("default");
    const Attempt a = wait_attempt(redis_, "completed", "default", id);
    const int64_t after = wall_ms();

    const std::regex integer("^[0-9]+$");
    const std::regex decimal("^[0-9]+(\\.[0-9]+)?$");
    ASSERT_TRUE(std::regex_match(a.get("sta"), integer)) << a.get("sta");
    ASSERT_TRUE(std::regex_match(a.get("fin"), integer)) << a.get("fin");
    ASSERT_TRUE(std::regex_match(a.get("tim"), decimal)) << a.get("tim");
    const int64_t sta = std::stoll(a.get("sta"));
    const int64_t fin = std::stoll(a.get("fin"));
    EXPECT_GE(sta, before) << "sta is epoch ms, taken after the job was pushed";
    EXPECT_LE(fin, after) << "fin is epoch ms, taken before the attempt was listed";
    EXPECT_GE(fin, sta);
    EXPECT_LE(std::stod(a.get("tim")), static_cast<double>(fin - sta) + 1.0) << "tim is in ms";
    EXPECT_EQ(a.get("job"), id);
    EXPECT_EQ(a.get("que"), "default");
    EXPECT_FALSE(a.has("err"));
    EXPECT_FALSE(a.has("msg"));

    // wrk = CLIENT ID of onyx-background-worker-fiber:<id of onyx-background-worker:default>.
    std::map<std::string, std::string> clients;
    wait_until(
        [&] {
            clients = clients_by_name(redis_);
            auto main = clients.find("onyx-background-worker:default");
            return main != clients.end() &&
                   clients.count("onyx-background-worker-fiber:" + main->second) != 0;
        },
        kDeadline, "the worker's main and fiber connections to be named");
    const std::string main_id = clients.at("onyx-background-worker:default");
    EXPECT_EQ(a.get("wrk"), clients.at("onyx-background-worker-fiber:" + main_id));

    EXPECT_EQ(redis_.integer({"EXISTS", ns_key(kNs, "processing", "default")}), 0);
    EXPECT_EQ(redis_.integer({"LLEN", ns_key(kNs, "ready", "default")}), 0);
    EXPECT_EQ(redis_.get_string({"ZSCORE", ns_key(kNs, "completed", "default"), a.id}), a.get("fin"));
    EXPECT_EQ(redis_.optional_string({"HGET", ns_key(kNs, "stats", "default"), "completed"}), "1");
    EXPECT_EQ(redis_.integer({"SISMEMBER", kNs + ":queues", "default"}), 1);
    // The job hash is left as the producer wrote it (original fields unchanged).
    const Fields job = redis_.hgetall(ns_key(kNs, "jobs", id));
    EXPECT_EQ(job.at("cls"), "Jobs::Noop");
    EXPECT_EQ(job.at("que"), "default");
    expect_running(worker);
}

TEST_F(WorkerProtocol, FailingJobLandsInFailedWithClassAndMessage) {
    Process worker = start_worker("default");
    const std::string id = push_raw_job(redis_, "default", "Jobs::Fail", R"({"message":"disk full: ü 42"})");
    const Attempt a = wait_attempt(redis_, "failed", "default", id);
    EXPECT_EQ(a.get("err"), "std::runtime_error");
    EXPECT_EQ(a.get("msg"), "disk full: ü 42");
    EXPECT_EQ(a.get("que"), "default");
    ASSERT_TRUE(a.has("fin"));
    EXPECT_TRUE(a.has("tim"));
    EXPECT_GE(std::stoll(a.get("fin")), std::stoll(a.get("sta")));
    EXPECT_EQ(redis_.get_string({"ZSCORE", ns_key(kNs, "failed", "default"), a.id}), a.get("fin"));
    EXPECT_EQ(redis_.optional_string({"HGET", ns_key(kNs, "stats", "default"), "failed"}), "1");
    EXPECT_EQ(redis_.integer({"ZCARD", ns_key(kNs, "completed", "default")}), 0);
    EXPECT_EQ(redis_.integer({"SCARD", ns_key(kNs, "processing", "default")}), 0);
    EXPECT_EQ(count_lines(worker.stderr_text(), {"ERROR", id, "disk full"}), 1u) << worker.stderr_text();
    expect_good_job_runs(worker);
}

TEST_F(WorkerProtocol, UnknownJobClassFailsAndTheWorkerGoesOn) {
    Process worker = start_worker("default");
    const std::string id = push_raw_job(redis_, "default", "Jobs::DoesNotExist", "{}");
    expect_bad_job_fails(worker, id, "UnknownJobClass");
}

// The worker's own messages name producer data (here a 7,000-byte class name): the stored
// `msg` is held to 1 KiB like a handler's (protocol.md, attempt fields).
TEST_F(WorkerProtocol, AMessageTheWorkerWritesIsCutTo1KiB) {
    Process worker = start_worker("default");
    const std::string id = push_raw_job(redis_, "default", "Jobs::" + std::string(7000, 'X'), "{}");
    const Attempt a = wait_attempt(redis_, "failed", "default", id);
    EXPECT_EQ(a.get("err"), "UnknownJobClass");
    EXPECT_LE(a.get("msg").size(), 1024u);
    EXPECT_GE(a.get("msg").size(), 1000u) << a.get("msg");
    expect_running(worker);
}

TEST_F(WorkerProtocol, JobIdWithoutJobHashFailsAsJobNotFound) {
    Process worker = start_worker("default");
    const std::string id = make_id(404);
    redis_.command({"RPUSH", ns_key(kNs, "ready", "default"), id});
    expect_bad_job_fails(worker, id, "JobNotFound");
}

TEST_F(WorkerProtocol, JobKeyThatIsNotAHashFailsAsInvalidJobAndTheWorkerGoesOn) {
    Process worker = start_worker("default");
    const std::string id = make_id(406);
    redis_.command({"SET", ns_key(kNs, "jobs", id), "not a hash"});
    redis_.command({"RPUSH", ns_key(kNs, "ready", "default"), id});
    expect_bad_job_fails(worker, id, "InvalidJob");
    EXPECT_NE(worker.stderr_text().find("WRONGTYPE"), std::string::npos) << worker.stderr_text();
    // Recorded whole: counted once, not re-queued, not dead (there is no job hash to mark), and
    // no "recording ... failed" retry loop.
    EXPECT_EQ(redis_.optional_string({"HGET", ns_key(kNs, "stats", "default"), "failed"}), "1");
    EXPECT_EQ(redis_.integer({"LLEN", ns_key(kNs, "ready", "default")}), 0);
    EXPECT_EQ(redis_.integer({"ZCARD", ns_key(kNs, "dead", "default")}), 0);
    EXPECT_EQ(redis_.get_string({"GET", ns_key(kNs, "jobs", id)}), "not a hash");
    EXPECT_EQ(worker.stderr_text().find("recording"), std::string::npos) << worker.stderr_text();
}

// `fal` is the producer's hash too: a value that is not a number must not stop the finish
// script halfway (the attempt out of processing, the job in neither retry nor dead).
TEST_F(WorkerProtocol, FalThatIsNotANumberCountsAsZeroAndTheFailureIsRecordedWhole) {
    Process worker = start_worker("default");
    const std::string id = make_id(407);
    redis_.command({"HSET", ns_key(kNs, "jobs", id), "que", "default", "cls", "Jobs::Fail", "arg", "{}", "qat",
                    std::to_string(wall_ms()), "fal", "x", "rty", "0"});
    redis_.command({"RPUSH", ns_key(kNs, "ready", "default"), id});
    wait_until([&] { return !redis_.command({"ZSCORE", ns_key(kNs, "dead", "default"), id}).is_nil(); }, kDeadline,
               "the job to be dead after its one allowed attempt");
    EXPECT_EQ(redis_.optional_string({"HGET", ns_key(kNs, "jobs", id), "fal"}), "1");
    EXPECT_EQ(redis_.integer({"SCARD", ns_key(kNs, "processing", "default")}), 0);
    EXPECT_EQ(redis_.optional_string({"HGET", ns_key(kNs, "stats", "default"), "failed"}), "1");
    EXPECT_EQ(worker.stderr_text().find("recording"), std::string::npos) << worker.stderr_text();
    expect_running(worker);
}

// Numbers that Lua and C++ would read differently (an exponent, a fraction, a sign, too many
// digits) count as 0 everywhere: the worker's attempt number and the script's `fal + 1` agree,
// so the count goes on from 1 (before, "1e400" became "inf" and the job retried forever).
TEST_F(WorkerProtocol, FalThatIsNotAWholeCountReadsAsZeroForTheWorkerAndTheScriptsAlike) {
    Process worker = start_worker("default");
    const std::vector<std::string> odd = {"1e400", "2.5", "-3", "99999999999999999999", "1000000000"};
    std::vector<std::string> ids;
    for (size_t i = 0; i < odd.size(); ++i) {
        ids.push_back(make_id(410 + static_cast<int>(i)));
        redis_.command({"HSET", ns_key(kNs, "jobs", ids.back()), "que", "default", "cls", "Jobs::Fail", "arg", "{}",
                        "qat", std::to_string(wall_ms()), "fal", odd[i], "rty", "0"});
        redis_.command({"RPUSH", ns_key(kNs, "ready", "default"), ids.back()});
    }
    wait_until([&] { return redis_.integer({"ZCARD", ns_key(kNs, "dead", "default")}) == static_cast<long long>(odd.size()); },
               kDeadline, "every job to be dead after its one allowed attempt");
    for (size_t i = 0; i < odd.size(); ++i)
        EXPECT_EQ(redis_.optional_string({"HGET", ns_key(kNs, "jobs", ids[i]), "fal"}), "1") << "fal was " << odd[i];
    expect_running(worker);
}

TEST_F(WorkerProtocol, AnIdPushedThreeTimesRunsThreeTimesWithItsAttemptsLinked) {
    const std::string id = push_raw_job(redis_, "default", "Jobs::Noop", "{}");
    redis_.command({"RPUSH", ns_key(kNs, "ready", "default"), id, id});
    Process worker = start_worker("default", 4);  // one claim takes all three
    wait_until([&] { return redis_.integer({"ZCARD", ns_key(kNs, "completed", "default")}) == 3; }, kDeadline,
               "three completed attempts");
    const auto chain = attempt_chain(redis_, kNs, id);
    ASSERT_EQ(chain.size(), 3u) << "the latest attempt's prv chain does not reach every attempt";
    EXPECT_EQ(chain[0].count("prv"), 0u);
    EXPECT_EQ(chain[1].at("prv"), chain[0].at("id"));
    EXPECT_EQ(chain[2].at("prv"), chain[1].at("id"));
    expect_running(worker);
}

TEST_F(WorkerProtocol, InvalidJsonArgumentsFailAsInvalidArguments) {
    Process worker = start_worker("default");
    const std::string id = push_raw_job(redis_, "default", "Jobs::Noop", R"({"sleep": )");
    expect_bad_job_fails(worker, id, "InvalidArguments");
}

TEST_F(WorkerProtocol, DeeplyNestedArgumentsFailAsInvalidArgumentsWithoutCrashing) {
    // 200,000 nested arrays: a recursive parser overflows the executor's stack (SIGSEGV).
    Process worker = start_worker("default");
    const std::string id = push_raw_job(redis_, "default", "Jobs::Noop", std::string(200000, '['));
    expect_bad_job_fails(worker, id, "InvalidArguments");
    EXPECT_FALSE(redis_.command({"ZSCORE", ns_key(kNs, "dead", "default"), id}).is_nil())
        << "InvalidArguments is final: the job goes to the dead set at once";
}

TEST_F(WorkerProtocol, JobHashWithoutClsFailsAsInvalidJobAndIsDeadAtOnce) {
    Process worker = start_worker("default");
    const std::string id = make_id(405);
    redis_.command({"HSET", ns_key(kNs, "jobs", id), "que", "default", "arg", "{}", "qat", std::to_string(wall_ms())});
    redis_.command({"RPUSH", ns_key(kNs, "ready", "default"), id});
    expect_bad_job_fails(worker, id, "InvalidJob");
    EXPECT_FALSE(redis_.command({"ZSCORE", ns_key(kNs, "dead", "default"), id}).is_nil()) << "no retry for a job without cls";
    EXPECT_EQ(redis_.integer({"ZCARD", ns_key(kNs, "retry", "default")}), 0);
}

TEST_F(WorkerProtocol, OddQueueNamesWorkEndToEndInPriorityOrder) {
    const std::vector<std::string> queues = {"mail:high-v1.2", "mail-ü", "café"};
    // The backlog is in place before the worker starts; concurrency 1 runs one job at a time.
    std::map<std::string, std::vector<std::string>> ids;
    for (int i = 0; i < 4; ++i) {
        for (const auto& q : {queues[2], queues[1], queues[0]})  // pushed lowest priority first
            ids[q].push_back(push_raw_job(redis_, q, "Jobs::Nap", R"({"sleep":0.003})"));
    }
    Process worker = start_worker(queues[0] + "," + queues[1] + "," + queues[2], 1);
    for (const auto& q : queues) {
        wait_until([&] { return redis_.integer({"ZCARD", ns_key(kNs, "completed", q)}) == 4; }, kDeadline,
                   "4 completed attempts in queue " + q);
    }
    // Every job of a queue finished before any job of the next queue did.
    std::vector<std::pair<int64_t, int64_t>> span;  // per queue: first and last fin
    for (const auto& q : queues) {
        std::vector<int64_t> fins;
        for (const auto& a : attempts_in(redis_, "completed", q)) {
            EXPECT_EQ(a.get("que"), q);
            EXPECT_FALSE(a.has("err")) << a.get("err");
            EXPECT_NE(std::find(ids[q].begin(), ids[q].end(), a.get("job")), ids[q].end());
            fins.push_back(std::stoll(a.get("fin")));
        }
        span.emplace_back(*std::min_element(fins.begin(), fins.end()), *std::max_element(fins.begin(), fins.end()));
        EXPECT_EQ(redis_.integer({"LLEN", ns_key(kNs, "ready", q)}), 0);
        EXPECT_EQ(redis_.integer({"SCARD", ns_key(kNs, "processing", q)}), 0);
        EXPECT_EQ(redis_.integer({"SISMEMBER", kNs + ":queues", q}), 1) << q;
    }
    EXPECT_LT(span[0].second, span[1].first) << "queue " << queues[1] << " ran before " << queues[0] << " was empty";
    EXPECT_LT(span[1].second, span[2].first) << "queue " << queues[2] << " ran before " << queues[1] << " was empty";
    // The main connection's name escapes what Redis refuses (here UTF-8 bytes) as %XX.
    EXPECT_EQ(clients_by_name(redis_).count("onyx-background-worker:mail:high-v1.2,mail-%C3%BC,caf%C3%A9"), 1u)
        << redis_.get_string({"CLIENT", "LIST"});
    expect_running(worker);
}

TEST_F(WorkerProtocol, QueueNameWithSpaceAndPercentWorksAndIsEscapedInTheClientName) {
    const std::string queue = "big sale 50%";
    const std::string id = push_raw_job(redis_, queue, "Jobs::Noop", "{}");
    Process worker = start_worker(queue);
    wait_attempt(redis_, "completed", queue, id);
    EXPECT_EQ(clients_by_name(redis_).count("onyx-background-worker:big%20sale%2050%25"), 1u)
        << redis_.get_string({"CLIENT", "LIST"});
    expect_good_job_runs(worker, queue);
}

TEST_F(WorkerProtocol, JobHashWithOnlyQueAndClsRuns) {
    // A minimal producer may omit arg and qat: arguments default to {}.
    const std::string id = make_id(1);
    redis_.command({"HSET", ns_key(kNs, "jobs", id), "que", "default", "cls", "Jobs::Nap"});
    redis_.command({"RPUSH", ns_key(kNs, "ready", "default"), id});
    Process worker = start_worker("default");
    const Attempt a = wait_attempt(redis_, "completed", "default", id);
    EXPECT_FALSE(a.has("err")) << a.get("err") << ": " << a.get("msg");
}

TEST_F(WorkerProtocol, LongFailureMessageIsBoundedToOneKibibyte) {
    std::string message;
    while (message.size() < 5000) message += "é-long failure text ";
    Process worker = start_worker("default");
    const std::string id = push_raw_job(redis_, "default", "Jobs::Fail", R"({"message":")" + message + R"("})");
    const Attempt a = wait_attempt(redis_, "failed", "default", id);
    EXPECT_EQ(a.get("err"), "std::runtime_error");
    const std::string msg = a.get("msg");
    EXPECT_LE(msg.size(), 1024u);
    EXPECT_GE(msg.size(), 1000u) << "the message was cut far more than needed";
    // A prefix of the original, cut on a UTF-8 boundary (no dangling lead byte).
    EXPECT_EQ(message.compare(0, msg.size(), msg), 0) << msg;
    ASSERT_FALSE(msg.empty());
    EXPECT_NE(static_cast<unsigned char>(msg.back()), 0xC3u) << "cut inside a UTF-8 sequence";
}

// CRC-32 (IEEE, reflected), computed bit by bit: an oracle independent of zlib.
uint32_t crc32_of(const std::string& data) {
    uint32_t crc = 0xFFFFFFFFu;
    for (unsigned char byte : data) {
        crc ^= byte;
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

std::string sample_text() {
    std::string text;
    for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i * 7919 % 10007) + " of the sample\n";
    return text;
}

TEST_F(WorkerProtocol, FilesGzipWritesAGzipOfTheInput) {
    const auto input = tmp_.file("input.txt");
    const std::string text = sample_text();
    write_file_text(input, text);
    Process worker = start_worker("files");
    const std::string id = push_raw_job(redis_, "files", "Files::Gzip", R"({"path":")" + input.string() + R"("})");
    const Attempt a = wait_attempt(redis_, "completed", "files", id);
    EXPECT_FALSE(a.has("err")) << a.get("err") << ": " << a.get("msg");
    const auto output = tmp_.file("input.txt.gz");
    ASSERT_TRUE(std::filesystem::exists(output));
    EXPECT_LT(std::filesystem::file_size(output), text.size()) << "the output is not compressed";
    EXPECT_FALSE(std::filesystem::exists(tmp_.file("input.txt.gz.part")));
    const CommandResult gunzip = run_command({"gzip", "-dc", output.string()});
    ASSERT_EQ(gunzip.exit_code(), 0) << gunzip.stderr_text;
    EXPECT_TRUE(gunzip.stdout_text == text) << "gunzipped output differs from the input";
    expect_running(worker);
}

TEST_F(WorkerProtocol, FilesChecksumWritesTheCrc32) {
    const auto input = tmp_.file("data.bin");
    const std::string text = sample_text();
    write_file_text(input, text);
    const auto output = tmp_.file("sums.txt");
    Process worker = start_worker("files");
    const std::string id = push_raw_job(redis_, "files", "Files::Checksum",
                                        R"({"path":")" + input.string() + R"(","output":")" + output.string() + R"("})");
    const Attempt a = wait_attempt(redis_, "completed", "files", id);
    EXPECT_FALSE(a.has("err")) << a.get("err") << ": " << a.get("msg");
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", crc32_of(text));
    EXPECT_EQ(read_file_text(output), std::string(hex) + "  " + input.string() + "\n");
}

TEST_F(WorkerProtocol, FilesJobOnAMissingFileFailsWithAClearMessage) {
    const auto missing = tmp_.file("no-such-file.txt");
    Process worker = start_worker("files");
    const std::string id = push_raw_job(redis_, "files", "Files::Gzip", R"({"path":")" + missing.string() + R"("})");
    const Attempt a = wait_attempt(redis_, "failed", "files", id);
    EXPECT_EQ(a.get("err"), "Files::NotFound");
    EXPECT_NE(a.get("msg").find(missing.string()), std::string::npos) << a.get("msg");
    EXPECT_NE(a.get("msg").find("No such file or directory"), std::string::npos) << a.get("msg");
    EXPECT_FALSE(std::filesystem::exists(tmp_.file("no-such-file.txt.gz")));
    EXPECT_FALSE(std::filesystem::exists(tmp_.file("no-such-file.txt.gz.part")));
    expect_good_job_runs(worker, "files");
}

TEST_F(WorkerProtocol, NamespaceIsolatesWorkers) {
    const std::string other = push_raw_job(redis_, "default", "Jobs::Noop", "{}", "ns-b");
    const std::string mine = push_raw_job(redis_, "default", "Jobs::Noop", "{}", "ns-a");
    Process worker = start_worker("default", 2, {"-n", "ns-a"});
    wait_attempt(redis_, "completed", "default", mine, "ns-a");
    wait_until([&] { return redis_.integer({"ZCARD", "ns-a:workers"}) == 1; }, kDeadline,
               "the worker to register in ns-a:workers");
    // Another job of ns-a after the first proves the worker polled ns-a again meanwhile.
    const std::string mine2 = push_raw_job(redis_, "default", "Jobs::Noop", "{}", "ns-a");
    wait_attempt(redis_, "completed", "default", mine2, "ns-a");
    EXPECT_EQ(redis_.strings({"LRANGE", "ns-b:ready:default", "0", "-1"}), std::vector<std::string>{other});
    EXPECT_EQ(redis_.strings({"KEYS", "ns-b:attempts:*"}), std::vector<std::string>{});
    EXPECT_EQ(redis_.integer({"EXISTS", "ns-b:completed:default", "ns-b:failed:default",
                              "ns-b:processing:default", "ns-b:workers", "ns-b:queues"}), 0);
    EXPECT_EQ(redis_.strings({"KEYS", "onyx-background:*"}), std::vector<std::string>{});
    expect_running(worker);
}

}  // namespace
}  // namespace onyx::test
