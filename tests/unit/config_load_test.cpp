// load_config(): INI files through inih, with every error naming file:line, section, key and
// text. Each case writes its own file into a fresh temp directory.
#include "config/config.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <string>

namespace onyx::config {
namespace {

class ConfigLoad : public ::testing::Test {
protected:
    // Writes `text` as the config file and returns its path.
    std::string write(const std::string& text) {
        test::write_file_text(path_, text);
        return path_.string();
    }

    // Loads `text` and returns the error message, or "" when it loaded.
    std::string error_of(const std::string& text) {
        try {
            load_config(write(text), true);
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "";
    }

    test::TempDir dir_{"onyx-config"};
    std::filesystem::path path_ = dir_.file("test.ini");
};

TEST_F(ConfigLoad, ReadsEverySectionOverTheDefaults) {
    const Config config = load_config(write(
        "; comment\n# comment\n\n"
        "[redis]\nurl = redis://redis.local:6380/2\nnamespace = app\n"
        "[worker]\nqueues = critical,default\n  concurrency = 4   \nlease = 30s\n"
        "strict_plugins = no\n"
        "[watcher]\ninterval = 250ms\n"
        "[log]\nlevel = warn ; inline comment\n"
        "[queue.mail]\nretries = 3\nbackoff_jitter = 0.5\n"
        "[plugin.files]\nroot = /srv/files\nmode = fast\n"),
        true);
    Config expected;
    expected.redis_url = "redis://redis.local:6380/2";
    expected.ns = "app";
    expected.queues = {"critical", "default"};
    expected.concurrency = 4;
    expected.lease_ms = 30000;
    expected.strict_plugins = false;
    expected.watcher_interval_ms = 250;
    expected.log_level = support::LogLevel::warn;
    expected.queue_settings["mail"].retries = 3;
    expected.queue_settings["mail"].backoff_jitter = 0.5;
    expected.plugin_settings["files"] = {{"root", "/srv/files"}, {"mode", "fast"}};
    EXPECT_EQ(config, expected);
}

TEST_F(ConfigLoad, EmptyFileGivesDefaults) {
    EXPECT_EQ(load_config(write(""), true), Config{});
    EXPECT_EQ(load_config(write("\xEF\xBB\xBF[worker]\r\nconcurrency = 3\r\n"), true).concurrency, 3);
}

TEST_F(ConfigLoad, MissingFileIsAnErrorOnlyWhenRequired) {
    const std::string missing = dir_.file("absent.ini").string();
    EXPECT_EQ(load_config(missing, false), Config{});
    try {
        load_config(missing, true);
        ADD_FAILURE() << "a required missing file loaded";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.what(), missing + ": cannot open the config file: No such file or directory");
    }
    EXPECT_THROW(load_config(dir_.path().string(), false), ConfigError);  // a directory
}

struct BadFile {
    std::string text;
    std::string message;  // after "<path>:"
};

TEST_F(ConfigLoad, ErrorsNameLineSectionKeyAndText) {
    const BadFile cases[] = {
        {"[worker]\nconcurrency = abc\n", "2: [worker] concurrency = 'abc': not a whole number"},
        {"[worker]\n\n\n\nconcurrency = 2000\n", "5: [worker] concurrency = '2000': must be from 1 to 1024"},
        {"[worker]\nconcurrency = 2\nqueues = a\nconcurrency = 3\n", "4: [worker] concurrency = '3': duplicate key, first set at line 2"},
        {"[worker]\nconcurrency = 2\n[redis]\n[worker]\nconcurrency = 3\n", "5: [worker] concurrency = '3': duplicate key, first set at line 2"},
        {"[plugin.x]\na = 1\na = 2\n", "3: [plugin.x] a = '2': duplicate key, first set at line 2"},
        {"[worker]\nconcurency = 2\n", "2: [worker] concurency = '2': unknown key (did you mean 'concurrency'?)"},
        {"[redis]\n\n[wroker]\n", "3: [wroker]: unknown section (did you mean 'worker'?); sections are redis, worker, watcher, log, queue.<name>, plugin.<name>"},
        {"[queue.]\n", "1: [queue.]: section needs a name: [queue.<name>]"},
        {"concurrency = 2\n", "1: [] concurrency = '2': key outside any [section]"},
        {"[worker]\nthis line has no equals sign\n", "2: 'this line has no equals sign': not 'key = value', '[section]' or a comment"},
        {"[worker\nconcurrency = 2\n", "1: '[worker': section header has no closing ']'"},
        {"[worker]\nbad line\nconcurrency = x\n", "2: 'bad line': not 'key = value', '[section]' or a comment"},
        {"[worker]\nconcurrency = x\nbad line\n", "2: [worker] concurrency = 'x': not a whole number"},
        {"[worker]\nqueues = a, b, a\n", "2: [worker] queues = 'a, b, a': queue 'a' is listed twice"},
        {"[redis]\nurl = redis://:s3cret@host:port\n", "2: [redis] url = 'redis://:***@host:port': bad Redis URL: port 'port' is not a whole number from 1 to 65535"},
        {"[worker]\nlease = 1s\n", ": [worker] lease = 1s: must be longer than heartbeat_interval (2s)"},
        {"[worker]\nplugins = /" + std::string(300, 'p') + "\n", "2: line is longer than 197 characters"},
    };
    for (const BadFile& c : cases) {
        const std::string message = error_of(c.text);
        EXPECT_EQ(message, path_.string() + (c.message.starts_with(":") ? "" : ":") + c.message)
            << "file:\n" << c.text;
    }
}

// inih reads an indented line as the continuation of the previous value; we strip the indent.
TEST_F(ConfigLoad, IndentedLinesAreOrdinaryKeys) {
    const Config config = load_config(write("[worker]\n  concurrency = 4\n\tqueues = a,b\n"), true);
    EXPECT_EQ(config.concurrency, 4);
    EXPECT_EQ(config.queues, (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace onyx::config
