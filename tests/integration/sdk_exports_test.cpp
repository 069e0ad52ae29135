// The dynamic symbols of plugins built with job.hpp: the entry symbol is exported (once, however
// many files include the header), the SDK's internals are not, and a plugin built without
// -fvisibility=hidden still keeps a private registry (no STB_GNU_UNIQUE).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace {

// stdout of `command` (which must succeed).
std::string capture(const std::string& command) {
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    EXPECT_NE(pipe, nullptr) << command;
    if (pipe == nullptr) return out;
    char buffer[4096];
    while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
    EXPECT_EQ(pclose(pipe), 0) << command;
    return out;
}

size_t count(const std::string& text, const std::string& part) {
    size_t n = 0;
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
}

class SdkExports : public testing::TestWithParam<std::string> {};

TEST_P(SdkExports, OnlyTheEntrySymbolOfTheSdkIsExported) {
    std::string symbols = capture("nm -D --defined-only " + GetParam());
    EXPECT_EQ(count(symbols, " onyx_bg_plugin_entry\n"), 1u) << symbols;
    EXPECT_EQ(count(symbols, "onyx_background"), 0u) << symbols;  // mangled SDK names
}

// The example plugins link with the SDK's version script (plugin-sdk/cmake/
// onyx_plugin_exports.map): the entry symbol is their whole dynamic interface, and no symbol is
// STB_GNU_UNIQUE, so glibc can unload an old copy after a reload.
class ExamplePluginExports : public testing::TestWithParam<std::string> {};

TEST_P(ExamplePluginExports, TheEntrySymbolIsTheOnlyExportAndNothingIsUnique) {
    const std::string symbols = capture("nm -D --defined-only " + GetParam());
    EXPECT_EQ(count(symbols, "\n"), 1u) << symbols;  // one symbol (W: job.hpp defines it inline)
    EXPECT_EQ(count(symbols, " onyx_bg_plugin_entry\n"), 1u) << symbols;
    const std::string dynsyms = capture("readelf --dyn-syms -W " + GetParam());
    EXPECT_EQ(count(dynsyms, " UNIQUE "), 0u) << dynsyms;
}

INSTANTIATE_TEST_SUITE_P(Examples, ExamplePluginExports,
                         testing::Values(std::string(ONYX_EXAMPLE_PLUGIN_DIR) + "/onyx_plugin_basic.so",
                                         std::string(ONYX_EXAMPLE_PLUGIN_DIR) + "/onyx_plugin_files.so"));

INSTANTIATE_TEST_SUITE_P(HiddenVisibilityPlugins, SdkExports,
                         testing::Values(std::string(ONYX_EXAMPLE_PLUGIN_DIR) + "/onyx_plugin_basic.so",
                                         std::string(ONYX_EXAMPLE_PLUGIN_DIR) + "/onyx_plugin_files.so",
                                         std::string(ONYX_FIXTURE_PLUGIN_DIR) + "/handlers/handlers.so"));

TEST(SdkRegistry, DefaultVisibilityPluginKeepsAPrivateRegistry) {
    std::string symbols = capture("nm -C " + std::string(ONYX_FIXTURE_PLUGIN_DIR) + "/default_visibility/one.so");
    EXPECT_EQ(count(symbols, " u onyx_background::"), 0u) << symbols;
    EXPECT_EQ(count(symbols, " d onyx_background::detail::registry()::instance"), 1u);
    std::string dynamic = capture("nm -D --defined-only " + std::string(ONYX_FIXTURE_PLUGIN_DIR) +
                                  "/default_visibility/one.so");
    EXPECT_EQ(count(dynamic, "registry"), 0u) << dynamic;
}

}  // namespace
