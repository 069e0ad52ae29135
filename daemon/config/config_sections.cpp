#include "config/config_sections.hpp"

#include "config/config_table.hpp"
#include "config/config_values.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace onyx::config {
namespace {

constexpr std::string_view kQueuePrefix = "queue.";
constexpr std::string_view kPluginPrefix = "plugin.";

// Section names as an operator writes them, in table order.
std::vector<std::string> section_names() {
    std::vector<std::string> names;
    for (const KeySpec& spec : config_keys()) {
        const std::string name =
            spec.section == "queue.*" ? "queue.<name>" : std::string(spec.section);
        if (names.empty() || names.back() != name) names.push_back(name);
    }
    names.push_back("plugin.<name>");
    return names;
}

std::vector<std::string> key_names(std::string_view pattern) {
    std::vector<std::string> names;
    for (const KeySpec& spec : config_keys())
        if (spec.section == pattern) names.emplace_back(spec.key);
    return names;
}

std::string did_you_mean(std::string_view word, std::span<const std::string> candidates) {
    const std::string best = closest_name(word, candidates);
    return best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best);
}

SectionRef named_section(std::string_view section, std::string_view prefix, bool opaque) {
    const std::string_view name = section.substr(prefix.size());
    if (name.empty())
        throw std::invalid_argument(fmt::format("section needs a name: [{}<name>]", prefix));
    if (!opaque) check_queue_name(name);
    return {opaque ? "plugin.*" : "queue.*", std::string(name), opaque};
}

}  // namespace

SectionRef resolve_section(std::string_view section) {
    if (section.starts_with(kQueuePrefix)) return named_section(section, kQueuePrefix, false);
    if (section.starts_with(kPluginPrefix)) return named_section(section, kPluginPrefix, true);
    const std::vector<std::string> names = section_names();
    for (const std::string& name : names)
        if (name == section) return {name, "", false};
    if (section.empty()) throw std::invalid_argument("key outside any [section]");
    throw std::invalid_argument(fmt::format("unknown section{}; sections are {}",
                                            did_you_mean(section, names),
                                            fmt::join(names, ", ")));
}

void throw_unknown_key(std::string_view pattern, std::string_view key) {
    const std::vector<std::string> keys = key_names(pattern);
    const std::string hint = did_you_mean(key, keys);
    if (!hint.empty()) throw std::invalid_argument("unknown key" + hint);
    throw std::invalid_argument(
        fmt::format("unknown key; known keys are {}", fmt::join(keys, ", ")));
}

std::string closest_name(std::string_view word, std::span<const std::string> candidates) {
    std::string best;
    // More edits than half the word (at least 2) is another word, not a typo.
    size_t best_distance = std::max<size_t>(2, (word.size() + 1) / 2) + 1;
    for (const std::string& candidate : candidates) {
        const size_t distance = edit_distance(word, candidate);
        if (distance < best_distance) {
            best = candidate;
            best_distance = distance;
        }
    }
    return best;
}

}  // namespace onyx::config
