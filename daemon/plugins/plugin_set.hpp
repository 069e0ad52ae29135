// The plugin directory as a reloadable set: SIGHUP rescans it and swaps in a new registry
// while jobs already running keep the registry (and so the code) they started with.
#pragma once

#include "plugins/plugin_registry.hpp"

#include <sys/types.h>

#include <cstddef>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace onyx::plugins {

/// Every plugin file of one directory, loaded into an immutable PluginRegistry that reload()
/// replaces as a whole. Each file is dlopen()ed from a private copy (a fresh path under a
/// staging directory, unlinked right after dlopen), because glibc's dlopen returns the handle
/// already open for a path even when the file changed on disk; the copy also protects running
/// code from a file overwritten in place (cp onto a mapped .so corrupts it).
///
/// Lifetime: a registry stays loaded while anyone holds the shared_ptr that current() returned;
/// the last holder unloads it (fini + dlclose) on its own thread. So a job holds the registry
/// it started with until it returns, and a removed plugin is unloaded after its last job.
///
/// Staging directory: created lazily (mkdtemp, 0700) under $RUNTIME_DIRECTORY (its first entry;
/// set by systemd's RuntimeDirectory=), else $TMPDIR, else /tmp, and removed at the end of
/// each load() or reload(), so a killed worker leaves none behind. The file system must allow
/// executable mappings (not mounted noexec).
///
/// Threads: current() from any thread. load() and reload() from one thread at a time (the
/// loop thread); they run plugin init code and block while files are copied and loaded.
class PluginSet {
public:
    /// What one reload() did. Counts compare the directory with the set loaded before, by file
    /// identity (device, inode, size, mtime); they are all 0 when !ok.
    struct ReloadResult {
        bool ok = false;                  ///< true: the new set is current()
        std::vector<std::string> errors;  ///< one per broken file, naming it ("plugin <path>: ...")
        size_t added = 0;                 ///< files not in the previous set
        size_t replaced = 0;              ///< files whose identity changed
        size_t removed = 0;               ///< files of the previous set that are gone
    };

    /// Remembers the directory and options; loads nothing (call load()). `directory` need not
    /// exist yet. Never throws but std::bad_alloc.
    PluginSet(std::string directory, LoadOptions options);

    /// Removes the staging directory. Registries handed out by current() stay valid.
    ~PluginSet();

    PluginSet(const PluginSet&) = delete;
    PluginSet& operator=(const PluginSet&) = delete;

    /// Initial load of every `.so` of the directory (list_plugin_files order). With
    /// options.strict the first broken file throws PluginError naming it and nothing is loaded;
    /// otherwise broken files are skipped and their errors returned (not logged: the caller
    /// reports them). Also throws PluginError when the directory cannot be read or the staging
    /// directory cannot be created.
    std::vector<std::string> load();

    /// Rescans the directory and builds a new registry from every file in it: new files are
    /// loaded, changed ones loaded again from their new bytes, removed ones left out (they stay
    /// loaded in the old registry until its last holder lets go). Unchanged files are loaded
    /// again too, so they run init with the current options (the old instance's fini runs when
    /// the old registry goes). Failure keeps the old set current and returns ok = false with
    /// the errors: an unreadable directory always; a broken file when options.strict (all
    /// broken files are reported). Without strict, broken files are left out, reported in
    /// errors, and the new set is installed (ok = true). Logs one line per outcome. Never throws
    /// but std::bad_alloc.
    ReloadResult reload();

    /// Replaces the options used by later reload() calls (e.g. new `[plugin.<name>]` settings
    /// after a config reload). Same thread as reload().
    void set_options(LoadOptions options);

    /// The registry in use now; never null (an empty registry before load()). Thread-safe.
    std::shared_ptr<const PluginRegistry> current() const;

    /// The plugin directory given to the constructor.
    const std::string& directory() const noexcept { return directory_; }

private:
    // What identifies one version of a file: a replaced file differs in at least one field.
    struct FileIdentity {
        dev_t device = 0;
        ino_t inode = 0;
        off_t size = 0;
        timespec mtime{};
        bool operator==(const FileIdentity& other) const;
    };
    using Snapshot = std::map<std::string, FileIdentity>;  // absolute path -> identity

    struct Built {
        std::shared_ptr<const PluginRegistry> registry;
        Snapshot files;
        std::vector<std::string> errors;
    };

    Built build(bool stop_at_first_error);
    void load_one(PluginRegistry& registry, const std::string& path, Snapshot& files);
    const std::string& staging_dir();
    void release_staging_dir();
    void install(Built built);

    std::string directory_;
    LoadOptions options_;
    std::string staging_dir_;      // empty until the first load
    unsigned long next_copy_ = 0;  // makes every staged path unique for this process's life
    Snapshot files_;               // the files current_ was built from

    mutable std::mutex current_mutex_;  // guards current_ only: readers never wait for a load
    std::shared_ptr<const PluginRegistry> current_;
};

}  // namespace onyx::plugins
