// `onyx-background plugins`: the table, the JSON and the exit status.
#include "cli/plugins_command.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>

namespace {

using onyx::cli::run_plugins_command;
using onyx::plugins::LoadOptions;

struct Output {
    int status;
    std::string out;
    std::string err;
};

Output run(const std::string& dir, bool json) {
    testing::internal::CaptureStdout();
    testing::internal::CaptureStderr();
    int status = run_plugins_command(dir, LoadOptions{}, json);
    std::string out = testing::internal::GetCapturedStdout();
    return {status, out, testing::internal::GetCapturedStderr()};
}

TEST(PluginsCommand, TableListsEveryClassAligned) {
    Output result = run(ONYX_EXAMPLE_PLUGIN_DIR, false);
    EXPECT_EQ(result.status, 0);
    EXPECT_EQ(result.err, "");
    const std::string dir = ONYX_EXAMPLE_PLUGIN_DIR;
    EXPECT_EQ(result.out,
              "CLASS            PLUGIN  VERSION  FILE\n"
              "Files::Checksum  files   1.0      " + dir + "/onyx_plugin_files.so\n"
              "Files::Gzip      files   1.0      " + dir + "/onyx_plugin_files.so\n"
              "Jobs::Fail       basic   1.0      " + dir + "/onyx_plugin_basic.so\n"
              "Jobs::Nap        basic   1.0      " + dir + "/onyx_plugin_basic.so\n"
              "Jobs::Noop       basic   1.0      " + dir + "/onyx_plugin_basic.so\n");
}

TEST(PluginsCommand, JsonListsClassesAndErrors) {
    Output result = run(std::string(ONYX_FIXTURE_PLUGIN_DIR) + "/duplicate", true);
    EXPECT_EQ(result.status, 1);
    rapidjson::Document doc;
    doc.Parse(result.out.c_str());
    ASSERT_FALSE(doc.HasParseError()) << result.out;
    ASSERT_EQ(doc["classes"].Size(), 2u);
    EXPECT_STREQ(doc["classes"][0]["class"].GetString(), "Fixtures::Dup");
    EXPECT_STREQ(doc["classes"][0]["plugin"].GetString(), "dup_first");
    ASSERT_EQ(doc["errors"].Size(), 1u);
    EXPECT_NE(std::string(doc["errors"][0].GetString()).find("b_second.so"), std::string::npos);
}

TEST(PluginsCommand, BrokenFileIsReportedOnStderrAndExitsOne) {
    Output result = run(std::string(ONYX_FIXTURE_PLUGIN_DIR) + "/wrong_abi", false);
    EXPECT_EQ(result.status, 1);
    EXPECT_EQ(result.out, "CLASS  PLUGIN  VERSION  FILE\n");
    EXPECT_EQ(result.err.rfind("error: plugin " + std::string(ONYX_FIXTURE_PLUGIN_DIR) + "/wrong_abi/wrong_abi.so: ", 0), 0u)
        << result.err;
}

TEST(PluginsCommand, MissingDirectoryExitsOne) {
    Output result = run("/nonexistent/onyx-plugins", true);
    EXPECT_EQ(result.status, 1);
    EXPECT_NE(result.err.find("error: plugin directory /nonexistent/onyx-plugins: "), std::string::npos);
}

}  // namespace
