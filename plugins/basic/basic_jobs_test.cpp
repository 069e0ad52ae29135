// The basic plugin's jobs, run by the SDK's fake host (onyx_background/testkit.hpp): the job
// sources are compiled into this test program, so no worker, .so or Redis is involved. This is
// how a plugin author unit-tests a handler (docs/plugins.md, "Testing a handler").
#include <onyx_background/testkit.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace {

using namespace std::chrono_literals;
using onyx_background::LogLevel;
using onyx_background::testkit::FakeHost;
using onyx_background::testkit::Outcome;

TEST(BasicJobs, NoopCompletes) {
    FakeHost host;
    Outcome outcome = host.run("Jobs::Noop");
    EXPECT_TRUE(outcome.ok) << outcome.error_class << ": " << outcome.message;
    EXPECT_TRUE(outcome.logs.empty());
}

// Settings written in place, as docs/plugins.md shows them (this plugin has no init: they are
// unused; the form must compile and construct).
TEST(BasicJobs, SettingsWrittenInPlaceConstructTheHost) {
    FakeHost host({{"level", "9"}});
    EXPECT_TRUE(host.run("Jobs::Noop").ok);
}

TEST(BasicJobs, FailFailsWithItsMessage) {
    FakeHost host;
    Outcome outcome = host.run("Jobs::Fail", R"({"message": "card declined"})");
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.error_class, "std::runtime_error");
    EXPECT_EQ(outcome.message, "card declined");
    EXPECT_EQ(host.run("Jobs::Fail").message, "Jobs::Fail failed, as asked");
}

TEST(BasicJobs, NapSleepsAndLogsAtDebugLevel) {
    FakeHost host;
    Outcome outcome = host.run("Jobs::Nap", R"({"sleep": 0.02})");
    ASSERT_TRUE(outcome.ok) << outcome.error_class << ": " << outcome.message;
    ASSERT_EQ(outcome.logs.size(), 1u);
    EXPECT_EQ(outcome.logs[0].level, LogLevel::debug);
    EXPECT_EQ(outcome.logs[0].text, "slept 0.020000 s");
}

TEST(BasicJobs, NapRefusesANegativeSleep) {
    FakeHost host;
    Outcome outcome = host.run("Jobs::Nap", R"({"sleep": -1})");
    EXPECT_EQ(outcome.error_class, "InvalidArguments");
    EXPECT_EQ(outcome.message, "\"sleep\" must be between 0 and 86400 seconds");
    EXPECT_EQ(host.run("Jobs::Nap", R"({"sleep": "long"})").message, "argument \"sleep\" must be a number");
    EXPECT_EQ(host.run("Jobs::Nap", "{").error_class, "InvalidArguments");  // not JSON
}

TEST(BasicJobs, NapStopsAtOnceWhenCancelledBeforeItStarts) {
    FakeHost host;
    host.cancel();
    Outcome outcome = host.run("Jobs::Nap", R"({"sleep": 60})");
    EXPECT_EQ(outcome.error_class, "JobCancelled");
}

TEST(BasicJobs, NapStopsWithinAStepWhenCancelledWhileSleeping) {
    FakeHost host;
    std::thread canceller([&host] {
        std::this_thread::sleep_for(50ms);
        host.cancel();
    });
    auto started = std::chrono::steady_clock::now();
    Outcome outcome = host.run("Jobs::Nap", R"({"sleep": 60})");
    canceller.join();
    EXPECT_EQ(outcome.error_class, "JobCancelled");
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s) << "the nap ignored the cancellation";
}

TEST(BasicJobs, ClassesKeepTheQueuePolicy) {
    FakeHost host;
    EXPECT_EQ(host.policy("Jobs::Nap").retry_limit, 0);
    EXPECT_EQ(host.policy("Jobs::Nap").timeout_ms, 0);
    EXPECT_THROW(host.policy("Jobs::Sleep"), std::invalid_argument);
}

}  // namespace
