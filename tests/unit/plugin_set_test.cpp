// PluginSet: a plugin directory loaded from private copies and reloaded as a whole. New files
// appear, replaced files run their new code, removed files vanish from the new set while a
// registry held from before still runs them, and a broken file makes a strict reload keep the
// old set. Fixtures: default_visibility/one.so (class Fixtures::One), two.so (Fixtures::Two),
// c_handlers.so (no plugin name, two classes), not_elf and init_fails (broken).
#include "plugins/job_invocation.hpp"
#include "plugins/plugin_set.hpp"
#include "support/temp_dir.hpp"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

namespace {

namespace fs = std::filesystem;
using onyx::plugins::JobOutcome;
using onyx::plugins::LoadOptions;
using onyx::plugins::PluginError;
using onyx::plugins::PluginRegistry;
using onyx::plugins::PluginSet;
using onyx::test::TempDir;

const fs::path kFixtures = ONYX_FIXTURE_PLUGIN_DIR;
const fs::path kOne = kFixtures / "default_visibility/one.so";
const fs::path kTwo = kFixtures / "default_visibility/two.so";

// Runs `cls` from `registry` with empty args; fails the test when the class is missing.
JobOutcome run(const PluginRegistry& registry, std::string_view cls) {
    const onyx::plugins::JobClass* job_class = registry.find(cls);
    EXPECT_NE(job_class, nullptr) << cls << " is not registered";
    if (job_class == nullptr) return {};
    onyx::plugins::JobInvocation invocation;
    invocation.job_id = "5f0c6a8e-0000-4000-8000-0000000000a1";
    invocation.attempt_id = "5f0c6a8e-0000-4000-8000-0000000000a2";
    invocation.queue = "default";
    invocation.job_class = cls;
    invocation.args_json = "{}";
    return invoke_job(*job_class, invocation);
}

class PluginSetTest : public testing::Test {
protected:
    // Copies `from` to dir/<name> through a temporary name and rename(2), the way install(1)
    // and dpkg replace a file: a new inode, never a file written in place.
    void install_plugin(const fs::path& from, const std::string& name) {
        const fs::path tmp = dir_.file("." + name + ".tmp");
        fs::copy_file(from, tmp, fs::copy_options::overwrite_existing);
        fs::rename(tmp, dir_.file(name));
    }

    LoadOptions strict() const { return LoadOptions{}; }
    LoadOptions lenient() const {
        LoadOptions options;
        options.strict = false;
        return options;
    }

    TempDir dir_{"onyx-plugin-set"};
};

TEST_F(PluginSetTest, EmptyBeforeLoad) {
    PluginSet set(dir_.path().string(), strict());
    ASSERT_NE(set.current(), nullptr);
    EXPECT_EQ(set.current()->plugin_count(), 0u);
}

TEST_F(PluginSetTest, LoadNamesTheOriginalFileNotTheStagedCopy) {
    install_plugin(kFixtures / "c_handlers/c_handlers.so", "mystem.so");
    PluginSet set(dir_.path().string(), strict());
    EXPECT_TRUE(set.load().empty());
    const auto* cls = set.current()->find("Fixtures::ReturnsFailed");
    ASSERT_NE(cls, nullptr);
    EXPECT_EQ(cls->plugin_file, dir_.file("mystem.so").string());
    EXPECT_EQ(cls->plugin_name, "mystem") << "a plugin without a name is named after its own file";
}

TEST_F(PluginSetTest, StrictLoadThrowsNamingTheBrokenFile) {
    install_plugin(kOne, "one.so");
    install_plugin(kFixtures / "not_elf/not_elf.so", "zz_broken.so");
    PluginSet set(dir_.path().string(), strict());
    try {
        set.load();
        FAIL() << "a strict load of a broken file must throw";
    } catch (const PluginError& e) {
        EXPECT_NE(std::string(e.what()).find("plugin " + dir_.file("zz_broken.so").string() + ": "),
                  std::string::npos)
            << e.what();
    }
    EXPECT_EQ(set.current()->plugin_count(), 0u);
}

TEST_F(PluginSetTest, LenientLoadSkipsTheBrokenFile) {
    install_plugin(kOne, "one.so");
    install_plugin(kFixtures / "init_fails/init_fails.so", "zz_broken.so");
    PluginSet set(dir_.path().string(), lenient());
    const auto errors = set.load();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].find(dir_.file("zz_broken.so").string()), std::string::npos) << errors[0];
    EXPECT_NE(set.current()->find("Fixtures::One"), nullptr);
}

TEST_F(PluginSetTest, NewFileAppearsOnReload) {
    install_plugin(kOne, "one.so");
    PluginSet set(dir_.path().string(), strict());
    set.load();
    EXPECT_EQ(set.current()->find("Fixtures::Two"), nullptr);

    install_plugin(kTwo, "two.so");
    const PluginSet::ReloadResult result = set.reload();
    EXPECT_TRUE(result.ok);
    EXPECT_TRUE(result.errors.empty());
    EXPECT_EQ(result.added, 1u);
    EXPECT_EQ(result.replaced, 0u);
    EXPECT_EQ(result.removed, 0u);
    EXPECT_TRUE(run(*set.current(), "Fixtures::Two").ok);
    EXPECT_TRUE(run(*set.current(), "Fixtures::One").ok);
}

TEST_F(PluginSetTest, ReplacedFileRunsItsNewCodeWhileTheOldRegistryKeepsTheOld) {
    install_plugin(kOne, "plugin.so");
    PluginSet set(dir_.path().string(), strict());
    set.load();
    const std::shared_ptr<const PluginRegistry> before = set.current();  // a job in flight

    install_plugin(kTwo, "plugin.so");  // same path, other build
    const PluginSet::ReloadResult result = set.reload();
    EXPECT_TRUE(result.ok);
    EXPECT_EQ(result.added, 0u);
    EXPECT_EQ(result.replaced, 1u);
    EXPECT_EQ(result.removed, 0u);
    EXPECT_EQ(set.current()->find("Fixtures::One"), nullptr) << "the old code is still current";
    EXPECT_TRUE(run(*set.current(), "Fixtures::Two").ok);
    EXPECT_TRUE(run(*before, "Fixtures::One").ok) << "the job in flight lost its code";
}

TEST_F(PluginSetTest, FileOverwrittenInPlaceDoesNotTouchLoadedCode) {
    install_plugin(kOne, "plugin.so");
    PluginSet set(dir_.path().string(), strict());
    set.load();
    const std::shared_ptr<const PluginRegistry> before = set.current();

    // cp onto a file that a process maps would corrupt its code; the set maps a private copy.
    fs::copy_file(kTwo, dir_.file("plugin.so"), fs::copy_options::overwrite_existing);
    EXPECT_TRUE(run(*before, "Fixtures::One").ok);
    EXPECT_TRUE(set.reload().ok);
    EXPECT_TRUE(run(*set.current(), "Fixtures::Two").ok);
    EXPECT_TRUE(run(*before, "Fixtures::One").ok);
}

TEST_F(PluginSetTest, RemovedFileIsGoneButAHeldRegistryStillRunsIt) {
    install_plugin(kOne, "one.so");
    install_plugin(kTwo, "two.so");
    PluginSet set(dir_.path().string(), strict());
    set.load();
    const std::shared_ptr<const PluginRegistry> before = set.current();

    fs::remove(dir_.file("two.so"));
    const PluginSet::ReloadResult result = set.reload();
    EXPECT_TRUE(result.ok);
    EXPECT_EQ(result.removed, 1u);
    EXPECT_EQ(set.current()->find("Fixtures::Two"), nullptr);
    EXPECT_NE(set.current()->find("Fixtures::One"), nullptr);
    EXPECT_TRUE(run(*before, "Fixtures::Two").ok) << "unloaded before its in-flight job finished";
}

TEST_F(PluginSetTest, StrictReloadWithABrokenFileKeepsTheOldSet) {
    install_plugin(kOne, "one.so");
    PluginSet set(dir_.path().string(), strict());
    set.load();
    const std::shared_ptr<const PluginRegistry> before = set.current();

    install_plugin(kTwo, "two.so");
    install_plugin(kFixtures / "not_elf/not_elf.so", "x_not_elf.so");
    install_plugin(kFixtures / "init_fails/init_fails.so", "y_init_fails.so");
    const PluginSet::ReloadResult result = set.reload();
    EXPECT_FALSE(result.ok);
    ASSERT_EQ(result.errors.size(), 2u) << "every broken file is reported";
    EXPECT_NE(result.errors[0].find(dir_.file("x_not_elf.so").string()), std::string::npos) << result.errors[0];
    EXPECT_NE(result.errors[1].find(dir_.file("y_init_fails.so").string()), std::string::npos) << result.errors[1];
    EXPECT_EQ(result.errors[0].find("onyx-background-plugins."), std::string::npos)
        << "the error names the staged copy: " << result.errors[0];
    EXPECT_EQ(result.added + result.replaced + result.removed, 0u);
    EXPECT_EQ(set.current(), before) << "a failed reload must keep the old set";
    EXPECT_TRUE(run(*set.current(), "Fixtures::One").ok);

    // Once the broken files are gone, the next reload goes through.
    fs::remove(dir_.file("x_not_elf.so"));
    fs::remove(dir_.file("y_init_fails.so"));
    const PluginSet::ReloadResult fixed = set.reload();
    EXPECT_TRUE(fixed.ok);
    EXPECT_EQ(fixed.added, 1u);
    EXPECT_TRUE(run(*set.current(), "Fixtures::Two").ok);
}

TEST_F(PluginSetTest, LenientReloadSkipsABrokenFileAndInstallsTheRest) {
    install_plugin(kOne, "one.so");
    PluginSet set(dir_.path().string(), lenient());
    set.load();

    install_plugin(kTwo, "two.so");
    install_plugin(kFixtures / "not_elf/not_elf.so", "x_not_elf.so");
    const PluginSet::ReloadResult result = set.reload();
    EXPECT_TRUE(result.ok);
    EXPECT_EQ(result.errors.size(), 1u);
    EXPECT_EQ(result.added, 1u) << "the broken file is not counted as added";
    EXPECT_NE(set.current()->find("Fixtures::Two"), nullptr);
}

TEST_F(PluginSetTest, UnreadableDirectoryKeepsTheOldSet) {
    TempDir other{"onyx-plugin-set-gone"};
    const std::string gone = (other.path() / "plugins").string();
    fs::create_directory(gone);
    fs::copy_file(kOne, gone + "/one.so");
    PluginSet set(gone, lenient());
    set.load();
    const auto before = set.current();

    fs::remove_all(gone);
    const PluginSet::ReloadResult result = set.reload();
    EXPECT_FALSE(result.ok);
    ASSERT_EQ(result.errors.size(), 1u);
    EXPECT_NE(result.errors[0].find(gone), std::string::npos) << result.errors[0];
    EXPECT_EQ(set.current(), before);
}

// Staged copies live in a private directory under $RUNTIME_DIRECTORY and are unlinked as soon
// as they are loaded; the directory goes with the set.
TEST_F(PluginSetTest, StagedCopiesAreUnlinkedAfterLoad) {
    TempDir runtime{"onyx-plugin-set-runtime"};
    const char* saved = std::getenv("RUNTIME_DIRECTORY");
    const std::string saved_value = saved != nullptr ? saved : "";
    setenv("RUNTIME_DIRECTORY", runtime.path().c_str(), 1);
    install_plugin(kOne, "one.so");
    {
        PluginSet set(dir_.path().string(), strict());
        set.load();
        // Copies are unlinked after dlopen and the staging directory goes at the end of the
        // load, so a worker killed later leaves nothing behind.
        for (const auto& entry : fs::directory_iterator(runtime.path()))
            ADD_FAILURE() << entry.path() << " outlived the load";
        EXPECT_TRUE(run(*set.current(), "Fixtures::One").ok);
    }
    EXPECT_TRUE(fs::is_empty(runtime.path())) << "the staging directory outlived the set";
    if (saved != nullptr) setenv("RUNTIME_DIRECTORY", saved_value.c_str(), 1);
    else unsetenv("RUNTIME_DIRECTORY");
}

// Why PluginSet copies: glibc's dlopen returns the handle it already has for a path, even
// after the file at that path was replaced by another build.
TEST_F(PluginSetTest, GlibcDlopenOfAReplacedPathReturnsTheOldHandle) {
    install_plugin(kOne, "plugin.so");
    const std::string path = dir_.file("plugin.so").string();
    void* first = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(first, nullptr) << dlerror();
    install_plugin(kTwo, "plugin.so");
    void* second = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    EXPECT_EQ(second, first) << "glibc loaded the new file: PluginSet's private copies may be unneeded";
    if (second != nullptr) dlclose(second);
    dlclose(first);
}

}  // namespace
