// Keys a daemon does not use: a worker group's own INI with the watcher's retention keys (as
// operations.md's "Several worker groups" invites) gets a warning naming the line and who
// uses the key, instead of being ignored in silence.
#include "config/config.hpp"
#include "config/config_table.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace onyx::config {
namespace {

Config load(const std::string& text) {
    test::TempDir dir("onyx-config");
    const auto path = dir.file("group.ini");
    test::write_file_text(path, text);
    return load_config(path.string(), true);
}

TEST(ConfigUsage, AWorkerIsToldOfTheWatchersKeysWithTheirLine) {
    const Config config = load("[worker]\nconcurrency = 4\n[queue.mail]\nretries = 3\nmax_completed = 10\n"
                               "[watcher]\ninterval = 2s\n");
    const auto warnings = unused_key_warnings(config, kUsedByWorker);
    ASSERT_EQ(warnings.size(), 2u);
    EXPECT_TRUE(warnings[0].ends_with("group.ini:5: [queue.mail] max_completed is used by the watcher only; "
                                      "this worker ignores it")) << warnings[0];
    EXPECT_TRUE(warnings[1].ends_with("group.ini:7: [watcher] interval is used by the watcher only; "
                                      "this worker ignores it")) << warnings[1];
}

TEST(ConfigUsage, AWatcherIsToldOfTheWorkersKeysButNotOfSharedOnes) {
    const Config config = load("[redis]\nnamespace = x\n[worker]\nqueues = a,b\nconcurrency = 4\nlease = 20s\n"
                               "[queue.a]\nretries = 3\ntimeout = 5s\n[plugin.files]\nlevel = 9\n");
    const auto warnings = unused_key_warnings(config, kUsedByWatcher);
    ASSERT_EQ(warnings.size(), 2u);
    EXPECT_NE(warnings[0].find(":5: [worker] concurrency is used by the worker only; this watcher ignores it"),
              std::string::npos) << warnings[0];
    EXPECT_NE(warnings[1].find(":9: [queue.a] timeout is used by the worker only"), std::string::npos) << warnings[1];
}

TEST(ConfigUsage, NothingToSayForADefaultsFileOrKeysBothUse) {
    EXPECT_TRUE(unused_key_warnings(load(""), kUsedByWorker).empty());
    const Config config = load("[log]\nlevel = debug\n[worker]\nqueues = a\nlease = 20s\n[queue.a]\nretries = 1\n");
    EXPECT_TRUE(unused_key_warnings(config, kUsedByWorker).empty());
    EXPECT_TRUE(unused_key_warnings(config, kUsedByWatcher).empty());
}

}  // namespace
}  // namespace onyx::config
