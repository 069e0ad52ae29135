#include "plugins/plugin_file.hpp"

#include "plugins/abi_layout.hpp"
#include "plugins/elf_check.hpp"
#include "plugins/host_api.hpp"
#include "support/log.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <filesystem>
#include <vector>

namespace onyx::plugins {

namespace {

// dlerror() text usually starts with the file name, which our message already gives.
std::string dl_reason(const std::string& path) {
    const char* text = dlerror();
    std::string reason = text != nullptr ? text : "unknown dlopen error";
    if (reason.starts_with(path + ": ")) reason.erase(0, path.size() + 2);
    return reason;
}

std::string file_stem(const std::string& path) {
    return std::filesystem::path(path).stem().string();
}

std::string text_or_empty(const char* text) { return text != nullptr ? text : ""; }

}  // namespace

void PluginFile::Closer::operator()(void* handle) const noexcept { dlclose(handle); }

PluginFile::PluginFile(std::string path) : path_(std::move(path)) {
    open();
    check_classes();
    name_ = text_or_empty(descriptor_.name);
    if (name_.empty()) name_ = file_stem(path_);
    version_ = text_or_empty(descriptor_.version);
}

PluginFile::~PluginFile() {
    if (!initialized_ || descriptor_.fini == nullptr) return;
    PluginLogScope scope(name_);
    descriptor_.fini();
}

PluginError PluginFile::error(const std::string& reason) const {
    return PluginError(fmt::format("plugin {}: {}", path_, reason));
}

void PluginFile::open() {
    if (std::string problem = elf_truncation_problem(path_); !problem.empty()) throw error(problem);
    dlerror();  // clear a stale error
    handle_.reset(dlopen(path_.c_str(), RTLD_NOW | RTLD_LOCAL));
    if (!handle_) throw error("cannot load: " + dl_reason(path_));
    dlerror();
    void* symbol = dlsym(handle_.get(), ONYX_BG_PLUGIN_ENTRY_SYMBOL);
    if (symbol == nullptr)
        throw error("no entry symbol " ONYX_BG_PLUGIN_ENTRY_SYMBOL " (not an onyx-background plugin?)");
    auto entry = reinterpret_cast<onyx_bg_plugin_entry_fn>(symbol);
    const onyx_bg_plugin* raw = entry();
    if (raw == nullptr) throw error("entry symbol " ONYX_BG_PLUGIN_ENTRY_SYMBOL " returned NULL");
    // The plugin may be built against an older (smaller) or newer (larger) layout: read only
    // what it declared, and keep host-layout copies.
    if (std::string problem = descriptor_problem(raw); !problem.empty()) throw error(problem);
    descriptor_ = read_descriptor(raw);
    classes_ = read_classes(descriptor_);
}

void PluginFile::check_classes() const {
    for (const onyx_bg_job_class& cls : classes_) {
        if (cls.name == nullptr || cls.name[0] == '\0') throw error("a job class has an empty name");
        if (cls.perform == nullptr) throw error(fmt::format("job class \"{}\" has no handler", cls.name));
    }
}

void PluginFile::init(const LoadOptions& options) {
    if (descriptor_.init == nullptr) return;
    std::vector<onyx_bg_config_item> items;
    if (auto it = options.settings.find(name_); it != options.settings.end())
        for (const auto& [key, value] : it->second)
            items.push_back({key.data(), key.size(), value.data(), value.size()});
    char reason[512] = "";
    PluginLogScope scope(name_);
    int32_t rc = descriptor_.init(&host_api(), items.data(), items.size(), reason, sizeof reason);
    reason[sizeof reason - 1] = '\0';  // in case the plugin forgot
    if (rc != 0)
        throw error(fmt::format("init of plugin \"{}\" failed: {}", name_,
                                reason[0] != '\0' ? reason : "no reason given"));
    initialized_ = true;
}

std::span<const onyx_bg_job_class> PluginFile::classes() const noexcept { return classes_; }

}  // namespace onyx::plugins
