// SIGHUP on the real worker (what `systemctl reload` sends): the plugin directory is rescanned.
// A new .so dropped in runs its class; a broken .so is refused and the old classes keep
// running; a removed plugin's job in flight finishes on the code it started with. Files are
// put in place with rename(2), as install(1) and dpkg do.
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
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace onyx::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kDeadline = 10s;
const std::string kNs = "onyx-background";
const fs::path kFixtures = paths::fixture_plugin_dir;

class ReloadPlugins : public ::testing::Test {
protected:
    ReloadPlugins() {
        write_file_text(config_, "");
        fs::create_directory(plugins_);
        put_plugin(fs::path(paths::example_plugin_dir) / "onyx_plugin_basic.so", "onyx_plugin_basic.so");
    }

    // Copies `from` into the plugin directory as `name` through a temporary name + rename.
    void put_plugin(const fs::path& from, const std::string& name) {
        const fs::path tmp = plugins_ / ("." + name + ".tmp");
        fs::copy_file(from, tmp, fs::copy_options::overwrite_existing);
        fs::rename(tmp, plugins_ / name);
    }

    Process start_worker() {
        return Process({std::string(paths::onyx_bin), "worker", "-r", server_.url(), "--config", config_.string(),
                        "--plugins", plugins_.string(), "-q", "default", "-c", "2", "--log-level", "debug"});
    }

    void wait_registered(Process& worker) {
        wait_until(
            [&] {
                EXPECT_TRUE(worker.is_running()) << worker.stderr_text();
                return redis_.strings({"ZRANGE", kNs + ":workers", "0", "-1"}).size() == 1;
            },
            kDeadline, "the worker to register in " + kNs + ":workers");
    }

    // SIGHUP, then waits for the worker's log to hold `expected` once more than before.
    // Returns false (after adding a failure with the worker's log) when the worker died or
    // the line did not come; use as ASSERT_TRUE(reload(...)).
    bool reload(Process& worker, const std::string& expected) {
        const auto count = [&] {
            const std::string text = worker.stderr_text();
            size_t n = 0;
            for (size_t at = text.find(expected); at != std::string::npos; at = text.find(expected, at + 1)) ++n;
            return n;
        };
        const size_t before = count();
        worker.send_signal(SIGHUP);
        const bool seen = try_wait_until([&] { return !worker.is_running() || count() > before; }, kDeadline);
        if (!worker.is_running()) {
            ADD_FAILURE() << "SIGHUP ended the worker (" << worker.exit_status()->describe() << "):\n"
                          << worker.stderr_text();
            return false;
        }
        if (!seen)
            ADD_FAILURE() << timeout_message(kDeadline, "\"" + expected + "\" in the worker's log after SIGHUP")
                          << "\nworker log:\n" << worker.stderr_text();
        return seen;
    }

    std::string push_job(const std::string& id, const std::string& cls, const std::string& arg = "{}") {
        redis_.command({"HSET", kNs + ":jobs:" + id, "que", "default", "cls", cls, "arg", arg, "qat",
                        std::to_string(wall_ms())});
        redis_.command({"RPUSH", kNs + ":ready:default", id});
        return id;
    }

    // Waits for an attempt of job `id` in completed:default and returns that attempt's hash.
    std::map<std::string, std::string> wait_completed(Process& worker, const std::string& id) {
        std::map<std::string, std::string> found;
        const bool done = try_wait_until(
            [&] {
                for (const std::string& aid : redis_.strings({"ZRANGE", kNs + ":completed:default", "0", "-1"})) {
                    auto attempt = redis_.hgetall(kNs + ":attempts:" + aid);
                    if (attempt["job"] == id) {
                        found = attempt;
                        return true;
                    }
                }
                return false;
            },
            kDeadline);
        if (!done)
            ADD_FAILURE() << timeout_message(kDeadline, "job " + id + " in completed:default")
                          << "\nworker log:\n" << worker.stderr_text();
        return found;
    }

    RedisServer server_;
    RedisClient redis_{server_.port()};
    TempDir tmp_{"onyx-reload"};
    fs::path config_ = tmp_.file("empty.ini");
    fs::path plugins_ = tmp_.file("plugins");
};

TEST_F(ReloadPlugins, NewPluginRunsAfterSighupWhileAJobRunsOnTheOldSet) {
    Process worker = start_worker();
    wait_registered(worker);
    const std::string nap = push_job("40000000-0000-4000-8000-000000000001", "Jobs::Nap", R"({"sleep":1})");
    wait_until([&] { return worker.stderr_text().find("[" + nap + "] Attempting") != std::string::npos; }, kDeadline,
               "the worker to start the Jobs::Nap attempt");

    put_plugin(kFixtures / "default_visibility/one.so", "one.so");
    ASSERT_TRUE(reload(worker, "plugins reloaded"));
    const std::string one = push_job("40000000-0000-4000-8000-000000000002", "Fixtures::One");
    EXPECT_EQ(wait_completed(worker, one).count("err"), 0u);
    const auto nap_attempt = wait_completed(worker, nap);
    EXPECT_EQ(nap_attempt.count("err"), 0u) << "the job in flight across the reload failed";
    EXPECT_TRUE(worker.is_running());
    worker.send_signal(SIGTERM);
    EXPECT_EQ(worker.wait_exit_or_throw(kDeadline), exited_with(0)) << worker.stderr_text();
}

// `systemctl reload` after editing [plugin.files]: the plugin's init gets the new settings
// (before, every reload handed it the settings of the start).
TEST_F(ReloadPlugins, SighupHandsThePluginsTheirSettingsAsTheFileSaysNow) {
    put_plugin(fs::path(paths::example_plugin_dir) / "onyx_plugin_files.so", "onyx_plugin_files.so");
    write_file_text(config_, "[plugin.files]\nlevel = 1\n");
    Process worker = start_worker();
    wait_registered(worker);
    EXPECT_NE(worker.stderr_text().find("gzip level 1"), std::string::npos) << worker.stderr_text();
    write_file_text(config_, "[plugin.files]\nlevel = 9\n");
    ASSERT_TRUE(reload(worker, "gzip level 9"));
    // A file that no longer loads refuses the reload; the worker goes on.
    write_file_text(config_, "[plugin.files]\nlevel = 9\nlevel = 8\n");
    ASSERT_TRUE(reload(worker, "plugin reload refused: the config file does not load"));
    EXPECT_NE(worker.stderr_text().find("duplicate key"), std::string::npos) << worker.stderr_text();
    push_job("after", "Jobs::Noop");
    EXPECT_FALSE(wait_completed(worker, "after").empty());
    EXPECT_EQ(worker.terminate(10s), exited_with(0)) << worker.stderr_text();
}

TEST_F(ReloadPlugins, BrokenPluginIsRefusedAndTheOldClassesKeepRunning) {
    Process worker = start_worker();
    wait_registered(worker);
    put_plugin(kFixtures / "not_elf/not_elf.so", "zz_broken.so");
    put_plugin(kFixtures / "default_visibility/two.so", "two.so");
    ASSERT_TRUE(reload(worker, "refused"));
    EXPECT_NE(worker.stderr_text().find((plugins_ / "zz_broken.so").string()), std::string::npos)
        << "the refusal must name the broken file:\n" << worker.stderr_text();

    const std::string noop = push_job("50000000-0000-4000-8000-000000000001", "Jobs::Noop");
    EXPECT_EQ(wait_completed(worker, noop).count("err"), 0u);
    // The whole reload was refused: two.so, good as it is, did not come in either.
    const std::string two = push_job("50000000-0000-4000-8000-000000000002", "Fixtures::Two");
    wait_until([&] { return redis_.integer({"LLEN", kNs + ":ready:default"}) == 0; }, kDeadline,
               "the Fixtures::Two job to be claimed");
    EXPECT_EQ(redis_.integer({"ZCARD", kNs + ":completed:default"}), 1)
        << "Fixtures::Two ran although the reload was refused";

    // Fixed directory, next SIGHUP goes through.
    fs::remove(plugins_ / "zz_broken.so");
    ASSERT_TRUE(reload(worker, "plugins reloaded"));
    const std::string again = push_job("50000000-0000-4000-8000-000000000003", "Fixtures::Two");
    EXPECT_EQ(wait_completed(worker, again).count("err"), 0u);
    worker.send_signal(SIGTERM);
    EXPECT_EQ(worker.wait_exit_or_throw(kDeadline), exited_with(0)) << worker.stderr_text();
}

TEST_F(ReloadPlugins, RemovedPluginFinishesItsJobInFlight) {
    Process worker = start_worker();
    wait_registered(worker);
    const std::string nap = push_job("60000000-0000-4000-8000-000000000001", "Jobs::Nap", R"({"sleep":1})");
    // Dispatched, not merely claimed: a job claimed but not yet started when the reload lands
    // starts on the new set, as any job claimed after it.
    wait_until([&] { return worker.stderr_text().find("[" + nap + "] Attempting") != std::string::npos; }, kDeadline,
               "the worker to start the Jobs::Nap attempt");
    fs::remove(plugins_ / "onyx_plugin_basic.so");
    ASSERT_TRUE(reload(worker, "plugins reloaded"));
    const auto attempt = wait_completed(worker, nap);
    EXPECT_EQ(attempt.count("err"), 0u) << (attempt.count("err") ? attempt.at("err") : "");
    EXPECT_GE(std::stod(attempt.at("tim")), 1000.0) << "the nap did not run to its end";
    worker.send_signal(SIGTERM);
    EXPECT_EQ(worker.wait_exit_or_throw(kDeadline), exited_with(0)) << worker.stderr_text();
}

}  // namespace
}  // namespace onyx::test
