// set_value(): the key table, every type and bound, and the error sentences flags and the
// environment get. File places (file:line) are in config_load_test.cpp.
#include "config/config.hpp"
#include "config/config_table.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <string>

namespace onyx::config {
namespace {

struct GoodCase {
    std::string section, key, text;
    std::function<bool(const Config&)> holds;
};

TEST(ConfigSet, AcceptsGoodValuesOfEveryKey) {
    const GoodCase cases[] = {
        {"redis", "url", "redis://:pw@db.example:6380/3", [](const Config& c) { return c.redis_url == "redis://:pw@db.example:6380/3"; }},
        {"redis", "url", "unix:///run/redis.sock?db=2", [](const Config& c) { return c.redis_url == "unix:///run/redis.sock?db=2"; }},
        {"redis", "namespace", "myapp", [](const Config& c) { return c.ns == "myapp"; }},
        {"redis", "connect_timeout", "500ms", [](const Config& c) { return c.connect_timeout_ms == 500; }},
        {"redis", "command_timeout", "1m", [](const Config& c) { return c.command_timeout_ms == 60000; }},
        {"worker", "queues", "critical, default,low", [](const Config& c) { return c.queues == std::vector<std::string>{"critical", "default", "low"}; }},
        {"worker", "concurrency", "1", [](const Config& c) { return c.concurrency == 1; }},
        {"worker", "concurrency", "1024", [](const Config& c) { return c.concurrency == 1024; }},
        {"worker", "prefetch", "5", [](const Config& c) { return c.prefetch == 5; }},
        {"worker", "claim_batch", "1000", [](const Config& c) { return c.claim_batch == 1000; }},
        {"worker", "plugins", "/opt/plugins", [](const Config& c) { return c.plugin_dir == "/opt/plugins"; }},
        {"worker", "strict_plugins", "off", [](const Config& c) { return !c.strict_plugins; }},
        {"worker", "shutdown_timeout", "0", [](const Config& c) { return c.shutdown_timeout_ms == 0; }},
        {"worker", "heartbeat_interval", "100ms", [](const Config& c) { return c.heartbeat_interval_ms == 100; }},
        {"worker", "lease", "1h", [](const Config& c) { return c.lease_ms == 3600000; }},
        {"watcher", "interval", "250ms", [](const Config& c) { return c.watcher_interval_ms == 250; }},
        {"watcher", "promote_batch", "50", [](const Config& c) { return c.promote_batch == 50; }},
        {"log", "level", "debug", [](const Config& c) { return c.log_level == support::LogLevel::debug; }},
        {"queue.mail", "retries", "0", [](const Config& c) { return c.queue("mail").retries == 0; }},
        {"queue.mail", "backoff_base", "1s", [](const Config& c) { return c.queue("mail").backoff_base_ms == 1000; }},
        {"queue.mail", "backoff_cap", "2d", [](const Config& c) { return c.queue("mail").backoff_cap_ms == 172800000; }},
        {"queue.mail", "backoff_jitter", "0", [](const Config& c) { return c.queue("mail").backoff_jitter == 0.0; }},
        {"queue.mail", "timeout", "30s", [](const Config& c) { return c.queue("mail").timeout_ms == 30000; }},
        {"plugin.files", "root", " /srv/files ", [](const Config& c) { return c.plugin_settings.at("files").at(0).second == "/srv/files"; }},
    };
    for (const GoodCase& c : cases) {
        Config config;
        EXPECT_NO_THROW(set_value(config, c.section, c.key, c.text, "--test")) << c.key << " = " << c.text;
        EXPECT_TRUE(c.holds(config)) << "[" << c.section << "] " << c.key << " = " << c.text;
    }
}

struct BadCase {
    std::string section, key, text, message;
};

TEST(ConfigSet, RejectsBadValuesNamingOriginKeyTextAndReason) {
    const BadCase cases[] = {
        {"worker", "concurrency", "abc", "--x: [worker] concurrency = 'abc': not a whole number"},
        {"worker", "concurrency", "0", "--x: [worker] concurrency = '0': must be from 1 to 1024"},
        {"worker", "concurrency", "1025", "--x: [worker] concurrency = '1025': must be from 1 to 1024"},
        {"worker", "concurrency", "99999999999999999999", "--x: [worker] concurrency = '99999999999999999999': number is too large"},
        {"worker", "claim_batch", "1001", "--x: [worker] claim_batch = '1001': must be from 1 to 1000"},
        {"worker", "lease", "500ms", "--x: [worker] lease = '500ms': must be from 1s to 1h"},
        {"worker", "shutdown_timeout", "2h", "--x: [worker] shutdown_timeout = '2h': must be from 0 to 1h"},
        {"worker", "heartbeat_interval", "soon", "--x: [worker] heartbeat_interval = 'soon': not a duration (a whole number with ms, s, m, h or d)"},
        {"worker", "strict_plugins", "maybe", "--x: [worker] strict_plugins = 'maybe': not a boolean (true/false, yes/no, on/off, 1/0)"},
        {"worker", "queues", "a,,b", "--x: [worker] queues = 'a,,b': queue 2 is empty"},
        {"worker", "queues", "a,b,a", "--x: [worker] queues = 'a,b,a': queue 'a' is listed twice"},
        {"worker", "plugins", "", "--x: [worker] plugins = '': path is empty"},
        {"worker", "concurency", "8", "--x: [worker] concurency = '8': unknown key (did you mean 'concurrency'?)"},
        {"worker", "colour", "red", "--x: [worker] colour = 'red': unknown key; known keys are queues, concurrency, prefetch, adaptive_prefetch, claim_batch, plugins, strict_plugins, shutdown_timeout, heartbeat_interval, lease"},
        {"redis", "namespace", "my app", "--x: [redis] namespace = 'my app': namespace holds a blank or control character"},
        {"redis", "namespace", "", "--x: [redis] namespace = '': namespace is empty"},
        {"redis", "url", "http://h", "--x: [redis] url = 'http://h': bad Redis URL: scheme 'http' is not redis:// or unix://"},
        {"redis", "url", "redis://u:secret@h:99999", "--x: [redis] url = 'redis://u:***@h:99999': bad Redis URL: port '99999' is not a whole number from 1 to 65535"},
        {"log", "level", "verbose", "--x: [log] level = 'verbose': not a log level (error, warn, info, debug)"},
        {"wroker", "concurrency", "8", "--x: [wroker] concurrency = '8': unknown section (did you mean 'worker'?); sections are redis, worker, watcher, log, queue.<name>, plugin.<name>"},
        {"", "concurrency", "8", "--x: [] concurrency = '8': key outside any [section]"},
        {"queue.", "retries", "3", "--x: [queue.] retries = '3': section needs a name: [queue.<name>]"},
        {"queue.a,b", "retries", "3", "--x: [queue.a,b] retries = '3': queue name holds a ','"},
        {"queue.mail", "retry", "3", "--x: [queue.mail] retry = '3': unknown key (did you mean 'retries'?)"},
        {"queue.mail", "backoff_jitter", "1.5", "--x: [queue.mail] backoff_jitter = '1.5': must be from 0 to 1"},
        {"queue.mail", "timeout", "8d", "--x: [queue.mail] timeout = '8d': must be from 0 to 7d"},
        {"plugin.", "root", "/srv", "--x: [plugin.] root = '/srv': section needs a name: [plugin.<name>]"},
    };
    for (const BadCase& c : cases) {
        Config config;
        try {
            set_value(config, c.section, c.key, c.text, "--x");
            ADD_FAILURE() << "accepted [" << c.section << "] " << c.key << " = " << c.text;
        } catch (const ConfigError& e) {
            EXPECT_EQ(e.what(), c.message);
        }
        EXPECT_EQ(config, Config{}) << "a failed set changed the config: " << c.key;
    }
}

TEST(ConfigSet, TableDefaultsEqualConfigDefaults) {
    Config config;
    for (const KeySpec& spec : config_keys()) {
        EXPECT_FALSE(spec.description.empty()) << spec.key;
        if (spec.default_text.empty()) continue;  // computed elsewhere ([worker] plugins)
        const std::string section = spec.section == "queue.*" ? "queue.q" : std::string(spec.section);
        set_value(config, section, std::string(spec.key), std::string(spec.default_text), "default");
    }
    EXPECT_EQ(config.queue("q"), QueueSettings{});
    config.queue_settings.clear();
    EXPECT_EQ(config, Config{});
}

TEST(ConfigSet, PluginKeysStayOpaqueInOrderOfSetting) {
    Config config;
    set_value(config, "plugin.files", "root", "/srv", "a");
    set_value(config, "plugin.files", "Any_Key", "anything at all", "a");
    set_value(config, "plugin.mail", "root", "x", "a");
    const std::vector<std::pair<std::string, std::string>> files = {{"root", "/srv"}, {"Any_Key", "anything at all"}};
    EXPECT_EQ(config.plugin_settings.at("files"), files);
    EXPECT_EQ(config.plugin_settings.at("mail").size(), 1u);
}

TEST(ConfigSet, QueueWithoutSectionGetsDefaults) {
    Config config;
    set_value(config, "queue.mail", "retries", "3", "a");
    EXPECT_EQ(config.queue("mail").retries, 3);
    EXPECT_EQ(config.queue("mail").backoff_base_ms, QueueSettings{}.backoff_base_ms);
    EXPECT_EQ(config.queue("other"), QueueSettings{});
}

TEST(ConfigSet, CheckConfigJoinsKeys) {
    Config config;
    EXPECT_NO_THROW(check_config(config, "f.ini"));
    config.lease_ms = 2000;
    EXPECT_THROW(
        {
            try {
                check_config(config, "f.ini");
            } catch (const ConfigError& e) {
                EXPECT_STREQ(e.what(), "f.ini: [worker] lease = 2s: must be longer than heartbeat_interval (2s)");
                throw;
            }
        },
        ConfigError);
    config = Config{};
    config.queue_settings["mail"].backoff_cap_ms = 1000;
    try {
        check_config(config, "f.ini");
        ADD_FAILURE() << "accepted backoff_cap < backoff_base";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "f.ini: [queue.mail] backoff_cap = 1s: must not be shorter than backoff_base (15s)");
    }
}

TEST(ConfigSet, EnvironmentRedisUrlIsCheckedAndRedacted) {
    const char* saved = std::getenv("REDIS_URL");
    const std::string previous = saved ? saved : "";
    Config config;
    setenv("REDIS_URL", "redis://10.0.0.5:6390/1", 1);
    apply_environment(config);
    EXPECT_EQ(config.redis_url, "redis://10.0.0.5:6390/1");
    setenv("REDIS_URL", "redis://:hunter2@h:x", 1);
    try {
        apply_environment(config);
        ADD_FAILURE() << "accepted a bad REDIS_URL";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "REDIS_URL: [redis] url = 'redis://:***@h:x': bad Redis URL: port 'x' is not a whole number from 1 to 65535");
    }
    setenv("REDIS_URL", "", 1);
    config = Config{};
    apply_environment(config);
    EXPECT_EQ(config, Config{});
    if (saved) setenv("REDIS_URL", previous.c_str(), 1); else unsetenv("REDIS_URL");
}

}  // namespace
}  // namespace onyx::config
