// What a crashing handler does: it takes its process down (the daemon cannot catch a SIGSEGV);
// the watcher then re-runs the job. Here only the first half, in a death-test child.
#include "plugins/job_invocation.hpp"
#include "plugins/plugin_registry.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <string>

namespace {

void run_crashing_job() {
    onyx::plugins::PluginRegistry registry;
    registry.load_directory(std::string(ONYX_FIXTURE_PLUGIN_DIR) + "/crash", onyx::plugins::LoadOptions{});
    onyx::plugins::JobInvocation invocation;
    invocation.job_class = "Fixtures::Crash";
    onyx::plugins::invoke_job(*registry.find("Fixtures::Crash"), invocation);
}

TEST(SdkCrash, CrashingHandlerKillsTheProcessWithItsSignal) {
    EXPECT_EXIT(run_crashing_job(), testing::KilledBySignal(SIGSEGV), "");
}

}  // namespace
