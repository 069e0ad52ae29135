// The "files" plugin: its name selects [plugin.files]; init checks and keeps the settings.
#include "settings.hpp"

#include <onyx_background/job.hpp>

#include <stdexcept>
#include <string>

namespace {

int parse_level(const std::string& text) {
    if (text.size() == 1 && text[0] >= '1' && text[0] <= '9') return text[0] - '0';
    throw std::invalid_argument("level = \"" + text + "\": expected a compression level 1..9");
}

void init(const onyx_background::PluginConfig& config) {
    for (const auto& [key, value] : config) {
        if (key != "level") throw std::invalid_argument("unknown key \"" + key + "\" (known: level)");
        files_plugin::compression_level = parse_level(value);
    }
    onyx_background::plugin_log(onyx_background::LogLevel::debug,
                                "gzip level " + std::to_string(files_plugin::compression_level.load()));
}

}  // namespace

ONYX_BACKGROUND_PLUGIN("files", "1.0");
ONYX_BACKGROUND_PLUGIN_INIT(init);
