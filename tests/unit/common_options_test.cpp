// Shared CLI flags: spelling, and precedence flag > environment > file > default, with flag
// values checked exactly like file values.
#include "cli/common_options.hpp"

#include "support/temp_dir.hpp"

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace onyx::cli {
namespace {

// Sets (or unsets, for nullopt) an environment variable for one test, restoring it after.
class EnvVar {
public:
    EnvVar(const char* name, std::optional<std::string> value) : name_(name) {
        if (const char* old = std::getenv(name)) saved_ = old;
        if (value) setenv(name, value->c_str(), 1); else unsetenv(name);
    }
    ~EnvVar() {
        if (saved_) setenv(name_, saved_->c_str(), 1); else unsetenv(name_);
    }
    EnvVar(const EnvVar&) = delete;
    EnvVar& operator=(const EnvVar&) = delete;

private:
    const char* name_;
    std::optional<std::string> saved_;
};

class CommonOptions : public ::testing::Test {
protected:
    // Parses `args` with the common and worker flags, as a subcommand would.
    CommonFlags parse(std::vector<std::string> args) {
        CLI::App app{"test"};
        CommonFlags flags;
        add_common_flags(app, flags);
        add_worker_flags(app, flags);
        args.insert(args.begin(), "onyx-background");
        std::vector<const char*> argv;
        for (const std::string& arg : args) argv.push_back(arg.c_str());
        app.parse(static_cast<int>(argv.size()), argv.data());
        return flags;
    }

    std::string write_config(const std::string& text) {
        test::write_file_text(file_, text);
        return file_.string();
    }

    test::TempDir dir_{"onyx-cli"};
    std::filesystem::path file_ = dir_.file("c.ini");
    EnvVar no_env_config_{"ONYX_BACKGROUND_CONFIG", std::nullopt};
    EnvVar no_redis_url_{"REDIS_URL", std::nullopt};
};

TEST_F(CommonOptions, ShortAndLongSpellings) {
    const CommonFlags flags = parse({"-r", "redis://h:1/2", "-n", "ns1", "-q", "a,b", "-c", "7",
                                     "--config", "/x.ini", "--log-level", "debug", "--plugins", "/p"});
    EXPECT_EQ(flags.redis_url, "redis://h:1/2");
    EXPECT_EQ(flags.ns, "ns1");
    EXPECT_EQ(flags.queues, "a,b");
    EXPECT_EQ(flags.concurrency, 7);
    EXPECT_EQ(flags.config_path, "/x.ini");
    EXPECT_EQ(flags.log_level, "debug");
    EXPECT_EQ(flags.plugins, "/p");
    const CommonFlags long_flags = parse({"--redis=redis://h", "--namespace", "n", "--queue", "q", "--concurrency", "3"});
    EXPECT_EQ(long_flags.redis_url, "redis://h");
    EXPECT_EQ(long_flags.queues, "q");
    EXPECT_EQ(long_flags.concurrency, 3);
    EXPECT_FALSE(parse({}).redis_url.has_value());
}

TEST_F(CommonOptions, ConcurrencyMustBeANumberForTheParser) {
    EXPECT_THROW(parse({"-c", "many"}), CLI::ParseError);
}

TEST_F(CommonOptions, ConfigFileChoice) {
    CommonFlags flags;
    EXPECT_EQ(choose_config_file(flags).path, ONYX_DEFAULT_CONFIG);
    EXPECT_FALSE(choose_config_file(flags).required);
    EnvVar env("ONYX_BACKGROUND_CONFIG", "/from/env.ini");
    EXPECT_EQ(choose_config_file(flags).path, "/from/env.ini");
    EXPECT_TRUE(choose_config_file(flags).required);
    flags.config_path = "/from/flag.ini";
    EXPECT_EQ(choose_config_file(flags).path, "/from/flag.ini");
    EXPECT_TRUE(choose_config_file(flags).required);
}

TEST_F(CommonOptions, PrecedenceFlagThenEnvironmentThenFileThenDefault) {
    CommonFlags flags = parse({"--config", write_config("[redis]\nurl = redis://file:1/0\nnamespace = file-ns\n"
                                                        "[worker]\nconcurrency = 4\nqueues = f1,f2\n")});
    config::Config config = resolve_config(flags);
    EXPECT_EQ(config.redis_url, "redis://file:1/0");        // file over default
    EXPECT_EQ(config.ns, "file-ns");
    EXPECT_EQ(config.claim_batch, config::Config{}.claim_batch);  // default

    EnvVar env("REDIS_URL", "redis://env:2/0");
    EXPECT_EQ(resolve_config(flags).redis_url, "redis://env:2/0");  // environment over file

    flags.redis_url = "redis://flag:3/0";
    flags.ns = "flag-ns";
    flags.queues = "x,y";
    flags.concurrency = 9;
    flags.log_level = "error";
    flags.plugins = "/flag/plugins";
    config = resolve_config(flags);
    EXPECT_EQ(config.redis_url, "redis://flag:3/0");  // flag over environment
    EXPECT_EQ(config.ns, "flag-ns");                  // flag over file
    EXPECT_EQ(config.queues, (std::vector<std::string>{"x", "y"}));
    EXPECT_EQ(config.concurrency, 9);
    EXPECT_EQ(config.log_level, support::LogLevel::error);
    EXPECT_EQ(config.plugin_dir, "/flag/plugins");
}

TEST_F(CommonOptions, ConfigFromEnvironmentIsRequired) {
    EnvVar env("ONYX_BACKGROUND_CONFIG", dir_.file("absent.ini").string());
    EXPECT_THROW(resolve_config(CommonFlags{}), config::ConfigError);
    EnvVar env2("ONYX_BACKGROUND_CONFIG", write_config("[worker]\nconcurrency = 5\n"));
    EXPECT_EQ(resolve_config(CommonFlags{}).concurrency, 5);
}

struct BadFlag {
    std::vector<std::string> args;
    std::string message;
};

TEST_F(CommonOptions, BadFlagValuesAreCheckedLikeTheFile) {
    const std::string empty_file = write_config("");
    const BadFlag cases[] = {
        {{"-c", "0"}, "--concurrency: [worker] concurrency = '0': must be from 1 to 1024"},
        {{"-q", "a,,b"}, "--queue: [worker] queues = 'a,,b': queue 2 is empty"},
        {{"-n", "a b"}, "--namespace: [redis] namespace = 'a b': namespace holds a blank or control character"},
        {{"-r", "redis://:pw@h:x"}, "--redis: [redis] url = 'redis://:***@h:x': bad Redis URL: port 'x' is not a whole number from 1 to 65535"},
        {{"--log-level", "loud"}, "--log-level: [log] level = 'loud': not a log level (error, warn, info, debug)"},
        {{"--plugins", ""}, "--plugins: [worker] plugins = '': path is empty"},
    };
    for (const BadFlag& c : cases) {
        std::vector<std::string> args = c.args;
        args.insert(args.end(), {"--config", empty_file});
        try {
            resolve_config(parse(args));
            ADD_FAILURE() << "accepted " << c.args.at(0) << " " << c.args.at(1);
        } catch (const config::ConfigError& e) {
            EXPECT_EQ(e.what(), c.message);
        }
    }
}

TEST_F(CommonOptions, BadEnvironmentIsNamed) {
    EnvVar env("REDIS_URL", "nope");
    try {
        resolve_config(parse({"--config", write_config("")}));
        ADD_FAILURE() << "accepted REDIS_URL=nope";
    } catch (const config::ConfigError& e) {
        EXPECT_STREQ(e.what(), "REDIS_URL: [redis] url = 'nope': bad Redis URL: it must start with redis:// or unix://");
    }
}

}  // namespace
}  // namespace onyx::cli
