// The shipped conf/onyx-background.ini and docs/configuration.md stay in step with the key
// table: the file loads as the defaults, its commented-out settings are valid and equal the
// defaults, and both files mention every key.
#include "config/config.hpp"
#include "config/config_table.hpp"
#include "plugins/plugin_registry.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace onyx::config {
namespace {

const std::string kShipped = std::string(ONYX_SOURCE_DIR) + "/conf/onyx-background.ini";
const std::string kDocs = std::string(ONYX_SOURCE_DIR) + "/docs/configuration.md";

// The file with every ';' setting turned on (lines starting with ';' lose it).
std::string uncommented(const std::string& text) {
    std::istringstream in(text);
    std::string out, line;
    while (std::getline(in, line)) out += (line.starts_with(';') ? line.substr(1) : line) + "\n";
    return out;
}

TEST(ConfigShipped, LoadsAsTheDefaults) {
    EXPECT_EQ(load_config(kShipped, true), Config{});
}

TEST(ConfigShipped, CommentedSettingsAreValidDefaults) {
    test::TempDir dir("onyx-config");
    const auto path = dir.file("all.ini");
    test::write_file_text(path, uncommented(test::read_file_text(kShipped)));
    Config config = load_config(path.string(), true);
    // The examples are the only non-defaults: a queue at default values and a plugin.
    EXPECT_EQ(config.queue_settings.at("mail"), QueueSettings{});
    EXPECT_EQ(config.plugin_settings.at("files").size(), 1u);
    EXPECT_FALSE(config.plugin_dir.empty());
    config.queue_settings.clear();
    config.plugin_settings.clear();
    config.plugin_dir.clear();
    EXPECT_EQ(config, Config{});
}

// An operator who uncomments the shipped [plugin.*] example gets a worker that starts: the
// example plugins accept every key the example sets (init would throw otherwise).
TEST(ConfigShipped, PluginExamplesAreAcceptedByTheExamplePlugins) {
    test::TempDir dir("onyx-config");
    const auto path = dir.file("all.ini");
    test::write_file_text(path, uncommented(test::read_file_text(kShipped)));
    const Config config = load_config(path.string(), true);
    plugins::LoadOptions options;
    options.strict = true;
    options.settings = config.plugin_settings;
    plugins::PluginRegistry registry;
    EXPECT_NO_THROW(registry.load_directory(ONYX_EXAMPLE_PLUGIN_DIR, options));
    EXPECT_NE(registry.find("Files::Gzip"), nullptr);
}

TEST(ConfigShipped, FileAndDocsNameEveryKeyWithItsDefault) {
    const std::string conf = test::read_file_text(kShipped);
    const std::string docs = test::read_file_text(kDocs);
    for (const KeySpec& spec : config_keys()) {
        const std::string key(spec.key);
        if (!spec.default_text.empty()) {
            EXPECT_NE(conf.find(";" + key + " = " + std::string(spec.default_text) + "\n"), std::string::npos)
                << key << " missing from the shipped conf";
        }
        EXPECT_NE(docs.find("`" + key + "`"), std::string::npos) << key << " missing from the docs";
    }
}

}  // namespace
}  // namespace onyx::config
