// set_value(): the single path by which text becomes a setting, for the file, the environment
// and flags alike, so all three get the same checks and the same error sentences.
#include "config/config.hpp"

#include "config/config_sections.hpp"
#include "config/config_table.hpp"
#include "config/config_values.hpp"

#include <onyx_common/redis_url.hpp>

#include <fmt/format.h>

#include <cstdlib>
#include <stdexcept>

namespace onyx::config {
namespace {

void set_checked(Config& config, const std::string& section, const std::string& key,
                 std::string_view text) {
    const SectionRef ref = resolve_section(section);
    if (key.empty()) throw std::invalid_argument("the key is empty");
    if (ref.opaque) {
        config.plugin_settings[ref.name].emplace_back(key, std::string(text));
        return;
    }
    const KeySpec* spec = find_key(ref.pattern, key);
    if (spec == nullptr) throw_unknown_key(ref.pattern, key);
    spec->set(config, ref.name, parse_value(*spec, text));
}

}  // namespace

const QueueSettings& Config::queue(const std::string& queue) const {
    static const QueueSettings defaults;
    const auto found = queue_settings.find(queue);
    return found == queue_settings.end() ? defaults : found->second;
}

std::string Config::plugin_directory() const {
    return plugin_dir.empty() ? std::string(ONYX_DEFAULT_PLUGIN_DIR) : plugin_dir;
}

void set_value(Config& config, const std::string& section, const std::string& key,
               const std::string& text, const std::string& origin) {
    const std::string_view value = trim(text);
    try {
        set_checked(config, section, key, value);
    } catch (const std::invalid_argument& e) {
        // The text may be a URL with a password in it, whatever the key.
        throw ConfigError(fmt::format("{}: [{}] {} = '{}': {}", origin, section, key,
                                      common::redact_url(value), e.what()));
    }
}

void apply_environment(Config& config) {
    const char* url = std::getenv("REDIS_URL");
    if (url != nullptr && *url != '\0') set_value(config, "redis", "url", url, "REDIS_URL");
}

void check_config(const Config& config, const std::string& origin) {
    if (config.lease_ms <= config.heartbeat_interval_ms)
        throw ConfigError(fmt::format(
            "{}: [worker] lease = {}: must be longer than heartbeat_interval ({})", origin,
            format_duration_ms(config.lease_ms), format_duration_ms(config.heartbeat_interval_ms)));
    for (const auto& [name, queue] : config.queue_settings) {
        if (queue.backoff_cap_ms < queue.backoff_base_ms)
            throw ConfigError(fmt::format(
                "{}: [queue.{}] backoff_cap = {}: must not be shorter than backoff_base ({})",
                origin, name, format_duration_ms(queue.backoff_cap_ms),
                format_duration_ms(queue.backoff_base_ms)));
    }
}

}  // namespace onyx::config
