// What a worker publishes in <ns>:class_retries for the watcher, from the fixture plugin
// `handlers`: Fixtures::NapNoRetry never retries (0), every other class leaves it to the queue.
#include "worker/class_retries.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace onyx::worker {
namespace {

TEST(ClassRetries, ClassesWithALimitAreSetAndTheOthersRemoved) {
    plugins::PluginRegistry registry;
    registry.load_directory(std::string(ONYX_FIXTURE_PLUGIN_DIR) + "/handlers", plugins::LoadOptions{});
    const auto commands = class_retry_commands("ns", registry);
    ASSERT_EQ(commands.size(), 2u);
    EXPECT_EQ(commands[0], (std::vector<std::string>{"HSET", "ns:class_retries", "Fixtures::NapNoRetry", "0"}));
    const auto& unset = commands[1];
    ASSERT_GE(unset.size(), 3u);
    EXPECT_EQ(unset[0], "HDEL");
    EXPECT_EQ(unset[1], "ns:class_retries");
    EXPECT_EQ(unset.size() - 2, registry.classes().size() - 1) << "every class without a limit is removed";
    EXPECT_NE(std::find(unset.begin(), unset.end(), "Fixtures::Ok"), unset.end());
    EXPECT_EQ(std::find(unset.begin(), unset.end(), "Fixtures::NapNoRetry"), unset.end());
}

TEST(ClassRetries, NoClassesGiveNoCommand) {
    plugins::PluginRegistry registry;
    EXPECT_TRUE(class_retry_commands("ns", registry).empty());
}

}  // namespace
}  // namespace onyx::worker
