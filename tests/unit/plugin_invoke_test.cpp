// invoke_job through the C ABI and the C++ layer of job.hpp: outcomes of well-behaved and
// misbehaving handlers, argument parsing, the context, cancellation.
#include "plugins/job_invocation.hpp"
#include "plugins/plugin_registry.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using onyx::plugins::invoke_job;
using onyx::plugins::JobInvocation;
using onyx::plugins::JobOutcome;
using onyx::plugins::LoadOptions;
using onyx::plugins::PluginRegistry;

class PluginInvoke : public testing::Test {
protected:
    static void SetUpTestSuite() {
        registry_ = new PluginRegistry;
        LoadOptions options;
        options.settings["handlers"] = {{"alpha", "1"}, {"beta", "two words"}};
        const std::string fixtures = ONYX_FIXTURE_PLUGIN_DIR;
        registry_->load_directory(fixtures + "/handlers", options);
        registry_->load_directory(fixtures + "/c_handlers", options);
        registry_->load_directory(ONYX_EXAMPLE_PLUGIN_DIR, options);
    }
    static void TearDownTestSuite() {
        delete registry_;
        registry_ = nullptr;
    }

    // Runs class `cls` with `args`; the class must exist.
    static JobOutcome run(std::string_view cls, std::string_view args = "{}",
                          const std::atomic<bool>* cancel = nullptr) {
        const onyx::plugins::JobClass* job_class = registry_->find(cls);
        EXPECT_NE(job_class, nullptr) << cls;
        if (job_class == nullptr) return {};
        JobInvocation invocation;
        invocation.job_id = "5f0c6a8e-0000-4000-8000-000000000001";
        invocation.attempt_id = "5f0c6a8e-0000-4000-8000-000000000002";
        invocation.queue = "default";
        invocation.job_class = cls;
        invocation.args_json = args;
        invocation.cancel = cancel;
        return invoke_job(*job_class, invocation);
    }

    static PluginRegistry* registry_;
};

PluginRegistry* PluginInvoke::registry_ = nullptr;

TEST_F(PluginInvoke, CompletingHandlerIsOk) {
    JobOutcome outcome = run("Fixtures::Ok");
    EXPECT_TRUE(outcome.ok);
    EXPECT_EQ(outcome.error_class, "");
    EXPECT_EQ(outcome.error_message, "");
}

TEST_F(PluginInvoke, LogLinesNameTheJob) {
    testing::internal::CaptureStderr();
    run("Fixtures::Ok");
    std::string log = testing::internal::GetCapturedStderr();
    EXPECT_NE(log.find("[5f0c6a8e-0000-4000-8000-000000000001] hello from Fixtures::Ok\n"), std::string::npos)
        << log;
}

TEST_F(PluginInvoke, StdExceptionGivesItsTypeNameAndMessage) {
    JobOutcome outcome = run("Fixtures::LogicError");
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.error_class, "std::logic_error");
    EXPECT_EQ(outcome.error_message, "broken invariant");
}

TEST_F(PluginInvoke, NonStdExceptionIsUnknownException) {
    JobOutcome outcome = run("Fixtures::NonStd");
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.error_class, "UnknownException");
    EXPECT_EQ(outcome.error_message, "exception of type int (not a std::exception)");
}

TEST_F(PluginInvoke, JobErrorKeepsItsOwnClass) {
    JobOutcome outcome = run("Fixtures::CustomError");
    EXPECT_EQ(outcome.error_class, "Custom::Error");
    EXPECT_EQ(outcome.error_message, "custom message");
}

TEST_F(PluginInvoke, FailedWithoutReasonIsJobFailed) {
    JobOutcome outcome = run("Fixtures::ReturnsFailed");
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.error_class, "JobFailed");
    EXPECT_EQ(outcome.error_message, "the job handler failed without saying why");
}

TEST_F(PluginInvoke, UnknownStatusIsInvalidHandlerResult) {
    JobOutcome outcome = run("Fixtures::BadStatus");
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.error_class, "InvalidHandlerResult");
    EXPECT_NE(outcome.error_message.find("returned 7"), std::string::npos) << outcome.error_message;
}

TEST_F(PluginInvoke, UnparsableJsonIsInvalidArguments) {
    JobOutcome outcome = run("Fixtures::Ok", R"({"a": tru})");
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.error_class, "InvalidArguments");
    EXPECT_EQ(outcome.error_message, "job arguments are not valid JSON: offset 9: Invalid value.");
}

TEST_F(PluginInvoke, TrailingGarbageIsInvalidArguments) {
    JobOutcome outcome = run("Fixtures::Ok", "{} {}");
    EXPECT_EQ(outcome.error_class, "InvalidArguments");
    EXPECT_NE(outcome.error_message.find("offset 3"), std::string::npos) << outcome.error_message;
}

TEST_F(PluginInvoke, MissingRequiredArgumentIsInvalidArguments) {
    JobOutcome outcome = run("Fixtures::NeedsPath", R"({"pth": "/tmp"})");
    EXPECT_EQ(outcome.error_class, "InvalidArguments");
    EXPECT_EQ(outcome.error_message, "argument \"path\" (a string) is required");
}

TEST_F(PluginInvoke, AnyJsonValueReachesTheJob) {
    EXPECT_EQ(run("Fixtures::ArgType", "[1, 2]").error_message, "array");
    EXPECT_EQ(run("Fixtures::ArgType", " 3.5 ").error_message, "number");
    EXPECT_EQ(run("Fixtures::ArgType", "null").error_message, "null");
    EXPECT_EQ(run("Fixtures::ArgType", R"("text")").error_message, "string");
}

TEST_F(PluginInvoke, EmptyArgumentsAreAnEmptyObject) {
    EXPECT_EQ(run("Fixtures::ArgType", "").error_message, "object");
}

TEST_F(PluginInvoke, ContextFieldsReachTheHandler) {
    const onyx::plugins::JobClass* cls = registry_->find("Fixtures::Context");
    ASSERT_NE(cls, nullptr);
    JobInvocation invocation;
    invocation.job_id = "job-1";
    invocation.attempt_id = "attempt-2";
    invocation.queue = "café";
    invocation.job_class = "Fixtures::Context";
    invocation.args_json = R"({"x": [1]})";
    invocation.enqueued_at_ms = 1700000000123;
    invocation.started_at_ms = 1700000000456;
    invocation.attempt_number = 3;
    JobOutcome outcome = invoke_job(*cls, invocation);
    EXPECT_EQ(outcome.error_class, "Fixtures::Context");
    EXPECT_EQ(outcome.error_message,
              R"(job-1|attempt-2|café|Fixtures::Context|1700000000123|1700000000456|3|{"x": [1]})");
}

TEST_F(PluginInvoke, PluginSettingsReachInit) {
    EXPECT_EQ(run("Fixtures::Settings").error_message, "alpha=1;beta=two words;");
}

TEST_F(PluginInvoke, LongMessageIsCutAt1KiBOnAUtf8Boundary) {
    std::string message = "a";
    for (int i = 0; i < 600; ++i) message += "\xC3\xA9";  // é, 2 bytes
    JobOutcome outcome = run("Fixtures::RuntimeError", R"({"message": ")" + message + "\"}");
    EXPECT_EQ(outcome.error_class, "std::runtime_error");
    EXPECT_EQ(outcome.error_message, message.substr(0, 1023));  // 1024 would split an é
}

TEST_F(PluginInvoke, CancelFlagIsSeenByTheHandler) {
    std::atomic<bool> cancel{false};
    std::thread canceller([&] {
        std::this_thread::sleep_for(20ms);
        cancel = true;
    });
    JobOutcome outcome = run("Fixtures::WaitCancel", "{}", &cancel);
    canceller.join();
    EXPECT_EQ(outcome.error_class, "JobCancelled");
}

TEST_F(PluginInvoke, NapStopsSoonAfterCancel) {
    std::atomic<bool> cancel{false};
    auto start = std::chrono::steady_clock::now();
    std::thread canceller([&] {
        std::this_thread::sleep_for(30ms);
        cancel = true;
    });
    JobOutcome outcome = run("Jobs::Nap", R"({"sleep": 30})", &cancel);
    canceller.join();
    EXPECT_EQ(outcome.error_class, "JobCancelled");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST_F(PluginInvoke, NapSleepsFractionsOfASecond) {
    auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(run("Jobs::Nap", R"({"sleep": 0.05})").ok);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
}

TEST_F(PluginInvoke, NapRefusesANegativeSleep) {
    EXPECT_EQ(run("Jobs::Nap", R"({"sleep": -1})").error_class, "InvalidArguments");
    EXPECT_EQ(run("Jobs::Nap", R"({"sleep": "1"})").error_class, "InvalidArguments");
}

TEST_F(PluginInvoke, FailJobUsesItsMessageArgument) {
    JobOutcome outcome = run("Jobs::Fail", R"({"message": "disk on fire"})");
    EXPECT_EQ(outcome.error_class, "std::runtime_error");
    EXPECT_EQ(outcome.error_message, "disk on fire");
    EXPECT_EQ(run("Jobs::Fail").error_message, "Jobs::Fail failed, as asked");
}

TEST_F(PluginInvoke, ManyThreadsInvokeAtOnce) {
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 2000; ++i) ok += run(i % 2 ? "Jobs::Noop" : "Fixtures::Ok").ok ? 1 : 0;
        });
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(ok.load(), 8000);
}

}  // namespace
