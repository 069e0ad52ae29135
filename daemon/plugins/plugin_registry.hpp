// Job plugins: every *.so in the plugin directory, loaded with dlopen and checked against the
// ABI of plugin-sdk/include/onyx_background/plugin.h, mapped job class name (`cls`) -> handler.
#pragma once

#include <onyx_background/plugin.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace onyx::plugins {

/// A plugin file that could not be loaded. what() names the file and the reason, e.g.
/// "plugin /x/bad.so: no entry symbol onyx_bg_plugin_entry (not an onyx-background plugin?)".
class PluginError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// One job class, as registered by a loaded plugin. Valid while its registry lives.
struct JobClass {
    std::string name;                  ///< the `cls` value, e.g. "Jobs::Nap"
    onyx_bg_job_handler_fn perform;    ///< plugin handler (call through invoke_job)
    void* class_data;                  ///< handed back to perform
    std::string plugin_file;           ///< absolute path of the .so that provides it
    std::string plugin_name;           ///< the plugin's own name (its file's stem when it gives none)
    std::string plugin_version;        ///< the plugin's version text, informational; may be empty
    int32_t retry_limit = 0;           ///< 0 = queue policy, -1 = never retry, N = N retries
    int64_t timeout_ms = 0;            ///< 0 = queue policy, -1 = none, N = N ms
};

/// Options for loading a plugin directory.
struct LoadOptions {
    bool strict = true; ///< true: the first broken file throws; false: it is logged and skipped
    /// `[plugin.<name>]` INI sections, handed to the matching plugin's init.
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> settings;
    /// When !strict: true logs each skipped file's error (one ERROR line); false leaves the
    /// reporting to the caller, which gets the errors back from load_directory.
    bool log_skipped = true;
};

/// The loaded plugins and their classes. Built on the main thread before the worker starts;
/// afterwards read-only, so lookups are safe from any thread. Unloads (fini + dlclose) every
/// plugin on destruction, which must happen after every job has returned.
class PluginRegistry {
public:
    PluginRegistry();
    ~PluginRegistry();
    PluginRegistry(const PluginRegistry&) = delete;
    PluginRegistry& operator=(const PluginRegistry&) = delete;

    /// Loads every regular file ending in `.so` in `directory`, in name order. A broken file
    /// (not loadable by dlopen, no entry symbol, NULL descriptor, wrong ABI version, init
    /// failure, a class name that another file already registered, an empty class name) throws
    /// PluginError when options.strict, else is logged (one ERROR line naming the file) and
    /// skipped. Returns the errors of skipped files. Throws PluginError when the directory
    /// cannot be read.
    std::vector<std::string> load_directory(const std::string& directory, const LoadOptions& options);

    /// Loads one plugin file; throws PluginError naming the file on any failure, after undoing
    /// everything (no class of a failed file stays registered).
    void load_file(const std::string& path, const LoadOptions& options);

    /// Loads the plugin file `path` by dlopen()ing `load_from`, a private copy of it (same
    /// bytes, another path), and records `path` as the plugin's file: errors and
    /// JobClass::plugin_file name `path`, never the copy. For reloads: glibc's dlopen returns
    /// the handle already open for a path (or for the same inode) even when the file changed,
    /// so fresh code needs a fresh path. `load_from` may be unlinked once this returns.
    /// Throws PluginError like load_file, after undoing everything.
    void load_file_from(const std::string& path, const std::string& load_from, const LoadOptions& options);

    /// The class registered under `name`, or nullptr.
    const JobClass* find(std::string_view name) const;

    /// Every class, sorted by name.
    std::vector<const JobClass*> classes() const;

    /// Number of loaded plugin files.
    size_t plugin_count() const;

private:
    struct LoadedPlugin;
    void add(std::unique_ptr<LoadedPlugin> plugin, const std::string& path, const LoadOptions& options);

    std::vector<std::unique_ptr<LoadedPlugin>> plugins_;
    std::map<std::string, JobClass, std::less<>> classes_;
};

/// The plugin files of `directory` that load_directory loads: regular files (or symlinks to
/// them) whose name ends in `.so`, as absolute normalized paths sorted by name. Throws
/// PluginError naming the directory when it cannot be read. Any thread.
std::vector<std::string> list_plugin_files(const std::string& directory);

}  // namespace onyx::plugins
