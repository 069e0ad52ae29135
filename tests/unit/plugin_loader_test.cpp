// The plugin loader against one broken fixture per failure, the working fixtures and the
// example plugins (tests/fixtures/plugins, plugins/).
#include "plugins/job_invocation.hpp"
#include "plugins/plugin_registry.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

namespace {

using onyx::plugins::LoadOptions;
using onyx::plugins::PluginError;
using onyx::plugins::PluginRegistry;

// Passes when `text` contains `part`; the failure message shows both.
testing::AssertionResult contains(const std::string& text, const std::string& part) {
    if (text.find(part) != std::string::npos) return testing::AssertionSuccess();
    return testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

std::string fixture(const std::string& relative) { return std::string(ONYX_FIXTURE_PLUGIN_DIR) + "/" + relative; }

// The PluginError text of loading `relative`, or "" when it loaded; the registry stays empty.
std::string load_error(const std::string& relative, const LoadOptions& options = {}) {
    PluginRegistry registry;
    try {
        registry.load_file(fixture(relative), options);
    } catch (const PluginError& e) {
        EXPECT_EQ(registry.plugin_count(), 0u);
        EXPECT_TRUE(registry.classes().empty());
        return e.what();
    }
    return "";
}

TEST(PluginLoader, NotAnElfFileIsRefusedWithDlerrorText) {
    std::string error = load_error("not_elf/not_elf.so");
    EXPECT_TRUE(contains(error, "plugin " + fixture("not_elf/not_elf.so") + ": cannot load: "));
    EXPECT_TRUE(contains(error, "invalid ELF header"));
}

TEST(PluginLoader, TruncatedSharedObjectIsRefusedBeforeDlopen) {
    // A half-copied .so: dlopen would map pages past the end of the file and die of SIGBUS.
    const std::string whole = std::string(ONYX_EXAMPLE_PLUGIN_DIR) + "/onyx_plugin_basic.so";
    const auto dir = std::filesystem::temp_directory_path() / ("onyx-truncated-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string cut = (dir / "cut.so").string();
    std::filesystem::copy_file(whole, cut, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::resize_file(cut, 5000);
    PluginRegistry registry;
    try {
        registry.load_file(cut, {});
        ADD_FAILURE() << "a truncated plugin loaded";
    } catch (const PluginError& e) {
        EXPECT_TRUE(contains(e.what(), "plugin " + cut + ": truncated: "));
        EXPECT_TRUE(contains(e.what(), "but the file has 5000 bytes"));
    }
    std::filesystem::remove_all(dir);
}

TEST(PluginLoader, MissingFileIsRefused) {
    EXPECT_TRUE(contains(load_error("no_such/plugin.so"), fixture("no_such/plugin.so") + ": cannot load: "));
}

TEST(PluginLoader, MissingEntrySymbolIsRefused) {
    EXPECT_EQ(load_error("no_entry/no_entry.so"),
              "plugin " + fixture("no_entry/no_entry.so") +
                  ": no entry symbol onyx_bg_plugin_entry (not an onyx-background plugin?)");
}

TEST(PluginLoader, NullDescriptorIsRefused) {
    EXPECT_EQ(load_error("null_entry/null_entry.so"),
              "plugin " + fixture("null_entry/null_entry.so") + ": entry symbol onyx_bg_plugin_entry returned NULL");
}

TEST(PluginLoader, WrongAbiVersionIsRefused) {
    std::string error = load_error("wrong_abi/wrong_abi.so");
    EXPECT_TRUE(contains(error, fixture("wrong_abi/wrong_abi.so")));
    EXPECT_TRUE(contains(error, "plugin ABI version 42, this daemon supports version 1"));
}

TEST(PluginLoader, TooSmallDescriptorIsRefused) {
    std::string error = load_error("small_descriptor/small_descriptor.so");
    EXPECT_TRUE(contains(error, fixture("small_descriptor/small_descriptor.so")));
    EXPECT_TRUE(contains(error, "struct_size is 8 bytes, ABI version 1 needs at least " +
                                    std::to_string(ONYX_BG_PLUGIN_V1_SIZE)));
}

// The outcome of running `cls` of `registry` with `args`.
onyx::plugins::JobOutcome run_class(const PluginRegistry& registry, std::string_view cls, std::string_view args) {
    onyx::plugins::JobInvocation invocation;
    invocation.job_id = "v1-job";
    invocation.job_class = cls;
    invocation.args_json = args;
    return onyx::plugins::invoke_job(*registry.find(cls), invocation);
}

TEST(PluginLoader, PluginBuiltAgainstTheFrozenVersion1LayoutLoadsAndRuns) {
    // Meaningful only while the host's descriptor is larger than version 1's: a loader that
    // asked for its own sizeof would refuse this plugin.
    static_assert(sizeof(onyx_bg_plugin) > ONYX_BG_PLUGIN_V1_SIZE);
    PluginRegistry registry;
    registry.load_file(fixture("v1_layout/v1_layout.so"), {});
    ASSERT_NE(registry.find("Fixtures::V1::Run"), nullptr);
    ASSERT_NE(registry.find("Fixtures::V1::Limited"), nullptr);
    EXPECT_EQ(registry.find("Fixtures::V1::Run")->plugin_name, "v1_layout");
    EXPECT_EQ(registry.find("Fixtures::V1::Limited")->retry_limit, 3);  // second entry, 40 bytes on
    EXPECT_EQ(registry.find("Fixtures::V1::Limited")->timeout_ms, 1500);
    EXPECT_TRUE(run_class(registry, "Fixtures::V1::Run", "{}").ok);
    onyx::plugins::JobOutcome failed = run_class(registry, "Fixtures::V1::Limited", R"({"fail": 1})");
    EXPECT_FALSE(failed.ok);
    EXPECT_EQ(failed.error_class, "Fixtures::V1Error");
    EXPECT_EQ(failed.error_message, R"({"fail": 1})");
}

TEST(PluginLoader, EmptyClassNameIsRefused) {
    EXPECT_EQ(load_error("empty_class_name/empty_class_name.so"),
              "plugin " + fixture("empty_class_name/empty_class_name.so") + ": a job class has an empty name");
}

TEST(PluginLoader, InitFailureIsRefusedWithThePluginsReason) {
    EXPECT_EQ(load_error("init_fails/init_fails.so"),
              "plugin " + fixture("init_fails/init_fails.so") +
                  ": init of plugin \"init_fails\" failed: database unreachable");
}

TEST(PluginLoader, CxxInitThatThrowsIsRefused) {
    LoadOptions options;
    options.settings["handlers"] = {{"fail_init", "yes"}};
    EXPECT_TRUE(contains(load_error("handlers/handlers.so", options),
                         "handlers.so: init of plugin \"handlers\" failed: fail_init = yes"));
}

TEST(PluginLoader, DuplicateClassNamesBothFiles) {
    PluginRegistry registry;
    registry.load_file(fixture("duplicate/a_first.so"), {});
    try {
        registry.load_file(fixture("duplicate/b_second.so"), {});
        FAIL() << "the duplicate class was accepted";
    } catch (const PluginError& e) {
        EXPECT_EQ(std::string(e.what()), "plugin " + fixture("duplicate/b_second.so") +
                                             ": job class \"Fixtures::Dup\" is already registered by " +
                                             fixture("duplicate/a_first.so"));
    }
    ASSERT_NE(registry.find("Fixtures::Dup"), nullptr);
    EXPECT_EQ(registry.find("Fixtures::Dup")->plugin_file, fixture("duplicate/a_first.so"));
    EXPECT_EQ(registry.plugin_count(), 1u);
}

TEST(PluginLoader, StrictDirectoryLoadThrowsOnTheBrokenFile) {
    PluginRegistry registry;
    EXPECT_THROW(registry.load_directory(fixture("duplicate"), LoadOptions{}), PluginError);
}

TEST(PluginLoader, NonStrictDirectoryLoadSkipsAndReturnsTheError) {
    PluginRegistry registry;
    LoadOptions options;
    options.strict = false;
    std::vector<std::string> errors = registry.load_directory(fixture("duplicate"), options);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_TRUE(contains(errors[0], "b_second.so: job class \"Fixtures::Dup\""));
    EXPECT_EQ(registry.plugin_count(), 1u);
    ASSERT_EQ(registry.classes().size(), 2u);
    EXPECT_EQ(registry.classes()[0]->name, "Fixtures::Dup");
    EXPECT_EQ(registry.classes()[1]->name, "Fixtures::First");
}

TEST(PluginLoader, UnreadableDirectoryThrows) {
    PluginRegistry registry;
    try {
        registry.load_directory(fixture("no_such_dir"), LoadOptions{});
        FAIL() << "no error";
    } catch (const PluginError& e) {
        EXPECT_TRUE(contains(e.what(), "plugin directory " + fixture("no_such_dir") + ": "));
    }
}

TEST(PluginLoader, PluginWithoutNameIsNamedAfterItsFile) {
    PluginRegistry registry;
    registry.load_file(fixture("c_handlers/c_handlers.so"), {});
    ASSERT_NE(registry.find("Fixtures::ReturnsFailed"), nullptr);
    EXPECT_EQ(registry.find("Fixtures::ReturnsFailed")->plugin_name, "c_handlers");
}

TEST(PluginLoader, RelativePathIsMadeAbsolute) {
    PluginRegistry registry;
    std::string cwd = std::filesystem::current_path().string();
    std::filesystem::current_path(ONYX_FIXTURE_PLUGIN_DIR);
    EXPECT_NO_THROW(registry.load_file("crash/crash.so", {}));  // loaded, never run
    std::filesystem::current_path(cwd);
    ASSERT_NE(registry.find("Fixtures::Crash"), nullptr);
    EXPECT_EQ(registry.find("Fixtures::Crash")->plugin_file, fixture("crash/crash.so"));
}

TEST(PluginLoader, DefaultVisibilityPluginsKeepTheirOwnRegistries) {
    PluginRegistry registry;
    registry.load_directory(fixture("default_visibility"), LoadOptions{});
    ASSERT_EQ(registry.classes().size(), 2u);
    EXPECT_EQ(registry.find("Fixtures::One")->plugin_name, "one");
    EXPECT_EQ(registry.find("Fixtures::Two")->plugin_name, "two");
}

TEST(PluginLoader, ExamplePluginsProvideTheirClasses) {
    PluginRegistry registry;
    EXPECT_TRUE(registry.load_directory(ONYX_EXAMPLE_PLUGIN_DIR, LoadOptions{}).empty());
    EXPECT_EQ(registry.plugin_count(), 2u);
    for (const char* name : {"Jobs::Noop", "Jobs::Fail", "Jobs::Nap"}) {
        ASSERT_NE(registry.find(name), nullptr) << name;
        EXPECT_EQ(registry.find(name)->plugin_name, "basic");
        EXPECT_EQ(registry.find(name)->plugin_version, "1.0");
    }
    for (const char* name : {"Files::Gzip", "Files::Checksum"}) {
        ASSERT_NE(registry.find(name), nullptr) << name;
        EXPECT_EQ(registry.find(name)->plugin_name, "files");
    }
}

TEST(PluginLoader, ExamplePluginRefusesABadSetting) {
    PluginRegistry registry;
    LoadOptions options;
    options.settings["files"] = {{"level", "11"}};
    EXPECT_THROW(registry.load_directory(ONYX_EXAMPLE_PLUGIN_DIR, options), PluginError);
}

TEST(PluginLoader, PluginsLoadAgainAfterUnload) {
    for (int round = 0; round < 3; ++round) {
        PluginRegistry registry;
        registry.load_directory(fixture("handlers"), LoadOptions{});
        EXPECT_NE(registry.find("Fixtures::Ok"), nullptr);
    }
}

}  // namespace
