// The daemon's configuration: one declarative table of keys (config_table.cpp), loaded from an
// INI file (inih), then overridden by the environment (REDIS_URL) and command-line flags.
// Precedence: flag > environment > file > default. See conf/onyx-background.ini.
#pragma once

#include "support/log.hpp"

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace onyx::config {

/// A configuration error. what() names the place (`file:line` or `--flag`), the key and the
/// bad text, e.g. "/etc/x.ini:12: [worker] concurrency = 'abc': not a whole number".
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Per-queue settings from `[queue.<name>]` (used by the retry and retention features).
struct QueueSettings {
    int retries = 25;                 ///< retries after the first attempt
    int64_t backoff_base_ms = 15000;  ///< first retry delay
    int64_t backoff_cap_ms = 3600000; ///< largest retry delay
    double backoff_jitter = 0.25;     ///< fraction of the delay drawn at random, 0..1
    int64_t timeout_ms = 0;           ///< job timeout, 0 = none
    int64_t completed_ttl_ms = 86400000;   ///< completed attempts (and their jobs) kept this long
    int64_t failed_ttl_ms = 604800000;     ///< failed attempts kept this long
    int64_t dead_ttl_ms = 2592000000;      ///< dead jobs kept this long
    int64_t max_completed = 100000;        ///< at most this many completed attempts per queue
    int64_t max_failed = 100000;           ///< at most this many failed attempts per queue
    int64_t max_dead = 100000;             ///< at most this many dead jobs per queue

    /// Field-by-field equality.
    bool operator==(const QueueSettings&) const = default;
};

/// Everything the daemon and the CLI read. Durations are milliseconds.
struct Config {
    // [redis]
    std::string redis_url = "redis://127.0.0.1:6379/0";
    std::string ns = "onyx-background";     ///< key namespace
    int64_t connect_timeout_ms = 2000;
    int64_t command_timeout_ms = 5000;

    // [worker]
    std::vector<std::string> queues = {"default"}; ///< priority order, first is served first
    int concurrency = 10;                          ///< executor threads = jobs run at once
    int prefetch = 1000;                           ///< most extra jobs claimed beyond free slots
    bool adaptive_prefetch = true;                 ///< prefetch follows the finish rate, up to prefetch
    int claim_batch = 1000;                        ///< most jobs claimed per round trip
    std::string plugin_dir;                        ///< default: the installed plugin directory
    bool strict_plugins = true;                    ///< a broken plugin file is fatal at start
    int64_t shutdown_timeout_ms = 25000;
    int64_t heartbeat_interval_ms = 2000;
    int64_t lease_ms = 10000;                      ///< a worker silent this long is dead

    // [watcher]
    int64_t watcher_interval_ms = 1000;
    int promote_batch = 1000;

    // [log]
    support::LogLevel log_level = support::LogLevel::info;

    /// `[queue.<name>]` sections by queue name.
    std::map<std::string, QueueSettings> queue_settings;
    /// `[plugin.<name>]` sections by plugin name: opaque key/value pairs in file order.
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> plugin_settings;

    /// The settings of `queue`, or the defaults when it has no section.
    const QueueSettings& queue(const std::string& queue) const;

    /// The plugin directory: `plugin_dir`, or the installed default when it is empty.
    std::string plugin_directory() const;

    /// The config file this was loaded from (empty: none was read) and where it set each key:
    /// "path:line", section, key, in file order (for SIGHUP's re-read of the plugin settings and
    /// the warning about keys a daemon does not use). Not settings: equality ignores them.
    struct FileKeys {
        struct Place {
            std::string where;
            std::string section;
            std::string key;
        };
        std::string path;
        bool required = false;
        std::vector<Place> places;
        bool operator==(const FileKeys&) const { return true; }
    } file_keys;

    /// Field-by-field equality of the settings (tests compare a loaded config with the
    /// expected one).
    bool operator==(const Config&) const = default;
};

/// Loads `path` over the defaults. When `required` is false a missing file is not an error
/// (the defaults stand). Throws ConfigError for an unreadable file, a syntax error, an unknown
/// section or key, a duplicate key, or a bad value; the message names file, line, key and text.
/// Only the first error is reported. Lines longer than 197 characters are errors (inih's line
/// buffer). Runs check_config() on the result. Thread-safe (no shared state).
Config load_config(const std::string& path, bool required);

/// Sets one key from text as the file would, e.g. set_value(cfg, "worker", "concurrency", "8",
/// "--concurrency"). `origin` names where the text came from for the error message.
/// `text` is trimmed first; `[plugin.<name>]` keys are appended as text, unchecked.
/// Throws ConfigError like load_config (any password in the echoed text is shown as ***);
/// on error `config` is unchanged.
void set_value(Config& config, const std::string& section, const std::string& key,
               const std::string& text, const std::string& origin);

/// Checks rules that join several keys: [worker] lease > heartbeat_interval, and per queue
/// backoff_cap >= backoff_base. load_config() calls it; call it again after changing keys.
/// Throws ConfigError starting with `origin` (e.g. the file path). Thread-safe on a const config.
void check_config(const Config& config, const std::string& origin);

/// Applies the environment: REDIS_URL (as the original CLI) replaces [redis] url.
/// An unset or empty REDIS_URL changes nothing. Throws ConfigError naming the variable when
/// its value is bad. Reads the environment: call from one thread.
void apply_environment(Config& config);

/// Splits a comma-separated queue list ("a,b ,c"), trimming blanks. Throws ConfigError when a
/// name is empty or holds a control character, or a name is listed twice; `origin` names the
/// place for the message.
std::vector<std::string> parse_queue_list(const std::string& text, const std::string& origin);

/// Parses a duration: a whole number with unit `ms`, `s`, `m`, `h` or `d` ("500ms", "5m",
/// "1h"); a bare number is seconds. Returns milliseconds. Throws std::invalid_argument.
int64_t parse_duration_ms(const std::string& text);

}  // namespace onyx::config
