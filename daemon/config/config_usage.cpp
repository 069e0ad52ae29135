// unused_key_warnings(): which daemon acts on which key, so an operator who puts the watcher's
// retention keys in a worker group's own INI is told, not silently ignored.
#include "config/config_sections.hpp"
#include "config/config_table.hpp"

#include <fmt/format.h>

namespace onyx::config {
namespace {

std::string_view daemon_name(uint8_t process) { return process == kUsedByWorker ? "worker" : "watcher"; }

std::string_view users(uint8_t used_by) {
    if (used_by == kUsedByWorker) return "the worker only";
    if (used_by == kUsedByWatcher) return "the watcher only";
    return "the worker and the watcher";
}

}  // namespace

std::vector<std::string> unused_key_warnings(const Config& config, uint8_t process) {
    std::vector<std::string> warnings;
    for (const auto& place : config.file_keys.places) {
        const SectionRef ref = resolve_section(place.section);
        if (ref.opaque) continue;
        const KeySpec* spec = find_key(ref.pattern, place.key);
        if (spec == nullptr || (spec->used_by & process) != 0) continue;
        warnings.push_back(fmt::format("{}: [{}] {} is used by {}; this {} ignores it", place.where,
                                       place.section, place.key, users(spec->used_by), daemon_name(process)));
    }
    return warnings;
}

}  // namespace onyx::config
