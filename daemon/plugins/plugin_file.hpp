// One plugin file: dlopen'd, its entry symbol called, its descriptor checked against the ABI,
// its init run. The registry (plugin_registry.cpp) decides which classes it may register.
#pragma once

#include "plugins/plugin_registry.hpp"

#include <onyx_background/plugin.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace onyx::plugins {

/// An open, ABI-checked plugin file. Unloads on destruction: fini (when init succeeded), then
/// dlclose. Main thread only; destroy only after every job of the plugin has returned.
class PluginFile {
public:
    /// dlopen()s `path` (absolute) with RTLD_NOW | RTLD_LOCAL, calls its entry symbol and checks
    /// the descriptor (ABI version, declared sizes, class table), reading only what the plugin
    /// declared (abi_layout.hpp). Does not run init. Throws
    /// PluginError "plugin <path>: <reason>", with nothing left open.
    explicit PluginFile(std::string path);
    ~PluginFile();
    PluginFile(const PluginFile&) = delete;
    PluginFile& operator=(const PluginFile&) = delete;

    /// Runs the plugin's init (if any) with its `[plugin.<name>]` settings from `options`.
    /// Throws PluginError naming the file and the plugin's reason; fini is then never called.
    void init(const LoadOptions& options);

    /// The classes the descriptor lists, in the host's layout (their strings and handlers are
    /// plugin-owned, valid while this object lives).
    std::span<const onyx_bg_job_class> classes() const noexcept;

    /// Absolute path of the file.
    const std::string& path() const noexcept { return path_; }
    /// The descriptor's name, or the file's stem when the plugin gives none.
    const std::string& name() const noexcept { return name_; }
    /// The descriptor's version text (may be empty).
    const std::string& version() const noexcept { return version_; }

    /// Builds the PluginError for this file: "plugin <path>: <reason>".
    PluginError error(const std::string& reason) const;

private:
    struct Closer {
        void operator()(void* handle) const noexcept;
    };

    void open();
    void check_classes() const;

    std::string path_;
    std::unique_ptr<void, Closer> handle_;
    onyx_bg_plugin descriptor_{};  // host-layout copy (read_descriptor)
    std::vector<onyx_bg_job_class> classes_;
    std::string name_;
    std::string version_;
    bool initialized_ = false;
};

}  // namespace onyx::plugins
