// Command-line flags shared by every subcommand, and the one function that turns them, the
// environment and the config file into a Config (precedence: flag > environment > file >
// default). Flag values go through config::set_value, so they get the file's checks.
#pragma once

#include "config/config.hpp"

#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace onyx::cli {

/// What the shared flags were given; std::nullopt = not on the command line.
struct CommonFlags {
    std::optional<std::string> config_path;  ///< --config FILE
    std::optional<std::string> redis_url;    ///< -r, --redis URL
    std::optional<std::string> ns;           ///< -n, --namespace NS
    std::optional<std::string> queues;       ///< -q, --queue Q1,Q2 (priority order)
    std::optional<std::string> log_level;    ///< --log-level LEVEL
    std::optional<std::string> plugins;      ///< --plugins DIR (worker only)
    std::optional<int> concurrency;          ///< -c, --concurrency N (worker only)
};

/// Adds `-r,--redis`, `-n,--namespace`, `-q,--queue`, `--config` and `--log-level` to `app`,
/// storing into `flags`, which must outlive app.parse(). Values are checked later, by
/// resolve_config(). Not thread-safe (CLI::App is not).
void add_common_flags(CLI::App& app, CommonFlags& flags);

/// Adds the worker-only `-c,--concurrency` and `--plugins` to `app`, storing into `flags`
/// (which must outlive app.parse()).
void add_worker_flags(CLI::App& app, CommonFlags& flags);

/// Which config file to read, and whether it must exist.
struct ConfigFile {
    std::string path;
    bool required = false;
};

/// --config when given (required); else $ONYX_BACKGROUND_CONFIG when set and non-empty
/// (required); else the installed default ONYX_DEFAULT_CONFIG (optional). Reads the
/// environment: call from one thread.
ConfigFile choose_config_file(const CommonFlags& flags);

/// Loads choose_config_file(), applies the environment (REDIS_URL), then each given flag via
/// config::set_value with the flag's long name ("--concurrency") as the origin. Throws
/// config::ConfigError naming the file line, variable or flag and the bad text. Does not
/// change the process log level. Reads the environment: call from one thread.
config::Config resolve_config(const CommonFlags& flags);

}  // namespace onyx::cli
