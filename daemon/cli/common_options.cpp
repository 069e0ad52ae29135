#include "cli/common_options.hpp"

#include <CLI/CLI.hpp>

#include <cstdlib>

namespace onyx::cli {
namespace {

// Stores a flag's text into `target` when the flag is given; checking is set_value's job.
void add_text_flag(CLI::App& app, const std::string& names, const std::string& type,
                   std::optional<std::string>& target, const std::string& help) {
    app.add_option_function<std::string>(
           names, [&target](const std::string& value) { target = value; }, help)
        ->type_name(type);
}

// One flag that maps onto one config key.
struct FlagKey {
    std::optional<std::string> CommonFlags::*member;
    const char* section;
    const char* key;
    const char* origin;
};

constexpr FlagKey kTextFlags[] = {
    {&CommonFlags::redis_url, "redis", "url", "--redis"},
    {&CommonFlags::ns, "redis", "namespace", "--namespace"},
    {&CommonFlags::queues, "worker", "queues", "--queue"},
    {&CommonFlags::log_level, "log", "level", "--log-level"},
    {&CommonFlags::plugins, "worker", "plugins", "--plugins"},
};

void apply_flags(config::Config& config, const CommonFlags& flags) {
    for (const FlagKey& flag : kTextFlags) {
        const std::optional<std::string>& value = flags.*flag.member;
        if (value) config::set_value(config, flag.section, flag.key, *value, flag.origin);
    }
    if (flags.concurrency)
        config::set_value(config, "worker", "concurrency", std::to_string(*flags.concurrency),
                          "--concurrency");
}

}  // namespace

void add_common_flags(CLI::App& app, CommonFlags& flags) {
    add_text_flag(app, "-r,--redis", "URL", flags.redis_url,
                  "Redis URL: redis://[[user]:password@]host[:port][/db] or unix:///path?db=N "
                  "(overrides REDIS_URL and [redis] url)");
    add_text_flag(app, "-n,--namespace", "NS", flags.ns, "Redis key namespace ([redis] namespace)");
    add_text_flag(app, "-q,--queue", "Q1,Q2", flags.queues,
                  "queues, comma-separated, highest priority first ([worker] queues)");
    add_text_flag(app, "--config", "FILE", flags.config_path,
                  "config file (default: $ONYX_BACKGROUND_CONFIG, else " ONYX_DEFAULT_CONFIG ")");
    add_text_flag(app, "--log-level", "LEVEL", flags.log_level,
                  "error, warn, info or debug ([log] level)");
}

void add_worker_flags(CLI::App& app, CommonFlags& flags) {
    app.add_option_function<int>(
           "-c,--concurrency", [&flags](int value) { flags.concurrency = value; },
           "jobs run at once, 1..1024 ([worker] concurrency)")
        ->type_name("N");
    add_text_flag(app, "--plugins", "DIR", flags.plugins, "plugin directory ([worker] plugins)");
}

ConfigFile choose_config_file(const CommonFlags& flags) {
    if (flags.config_path) return {*flags.config_path, true};
    const char* from_env = std::getenv("ONYX_BACKGROUND_CONFIG");
    if (from_env != nullptr && *from_env != '\0') return {from_env, true};
    return {ONYX_DEFAULT_CONFIG, false};
}

config::Config resolve_config(const CommonFlags& flags) {
    const ConfigFile file = choose_config_file(flags);
    config::Config config = config::load_config(file.path, file.required);
    config::apply_environment(config);
    apply_flags(config, flags);
    return config;
}

}  // namespace onyx::cli
