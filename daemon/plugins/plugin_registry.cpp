#include "plugins/plugin_registry.hpp"

#include "plugins/plugin_file.hpp"
#include "support/log.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

namespace onyx::plugins {

namespace fs = std::filesystem;

struct PluginRegistry::LoadedPlugin : PluginFile {
    using PluginFile::PluginFile;
};

std::vector<std::string> list_plugin_files(const std::string& directory) {
    std::error_code ec;
    fs::directory_iterator it(directory, ec);
    if (ec) throw PluginError("plugin directory " + directory + ": " + ec.message());
    std::vector<std::string> files;
    for (const fs::directory_entry& entry : it) {
        std::error_code type_ec;
        if (entry.path().extension() == ".so" && entry.is_regular_file(type_ec))
            files.push_back(fs::absolute(entry.path()).lexically_normal().string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

namespace {

// The classes of `plugin` (the file `path`) as registry entries; throws PluginError on a name
// registered twice in the file or already registered by another file.
std::vector<JobClass> new_classes(const PluginFile& plugin, const std::string& path,
                                  const PluginRegistry& registry) {
    std::vector<JobClass> added;
    std::set<std::string_view> seen;
    for (const onyx_bg_job_class& cls : plugin.classes()) {
        if (!seen.insert(cls.name).second)
            throw plugin.error(fmt::format("job class \"{}\" is registered twice in this file", cls.name));
        if (const JobClass* other = registry.find(cls.name))
            throw plugin.error(fmt::format("job class \"{}\" is already registered by {}", cls.name,
                                           other->plugin_file));
        added.push_back({cls.name, cls.perform, cls.class_data, path, plugin.name(),
                         plugin.version(), cls.retry_limit, cls.timeout_ms});
    }
    return added;
}

}  // namespace

PluginRegistry::PluginRegistry() = default;

PluginRegistry::~PluginRegistry() {
    classes_.clear();
    while (!plugins_.empty()) plugins_.pop_back();  // unload in reverse load order
}

std::vector<std::string> PluginRegistry::load_directory(const std::string& directory,
                                                        const LoadOptions& options) {
    std::vector<std::string> errors;
    for (const std::string& file : list_plugin_files(directory)) {
        try {
            load_file(file, options);
        } catch (const PluginError& e) {
            if (options.strict) throw;
            if (options.log_skipped) ONYX_LOG(error, "{} (skipped)", e.what());
            errors.emplace_back(e.what());
        }
    }
    return errors;
}

void PluginRegistry::load_file(const std::string& path, const LoadOptions& options) {
    std::string absolute = fs::absolute(path).lexically_normal().string();
    add(std::make_unique<LoadedPlugin>(absolute), absolute, options);
}

void PluginRegistry::load_file_from(const std::string& path, const std::string& load_from,
                                    const LoadOptions& options) {
    const std::string absolute = fs::absolute(path).lexically_normal().string();
    const std::string copy = fs::absolute(load_from).lexically_normal().string();
    try {
        add(std::make_unique<LoadedPlugin>(copy), absolute, options);
    } catch (const PluginError& e) {
        // PluginFile names the file it opened; the operator knows the original.
        std::string message = e.what();
        size_t at = message.find(copy);
        while (at != std::string::npos) {
            message.replace(at, copy.size(), absolute);
            at = message.find(copy, at + absolute.size());
        }
        throw PluginError(message);
    }
}

void PluginRegistry::add(std::unique_ptr<LoadedPlugin> plugin, const std::string& path,
                         const LoadOptions& options) {
    // Refuse duplicates before init, so a refused plugin never ran any of its code but the entry.
    std::vector<JobClass> added = new_classes(*plugin, path, *this);
    plugin->init(options);
    plugins_.reserve(plugins_.size() + 1);  // so that push_back below cannot fail
    try {
        for (const JobClass& cls : added) classes_.emplace(cls.name, cls);
    } catch (...) {
        for (const JobClass& cls : added) classes_.erase(cls.name);
        throw;
    }
    ONYX_LOG(debug, "plugin {}: loaded \"{}\" {} with {} job classes", path, plugin->name(),
             plugin->version(), added.size());
    plugins_.push_back(std::move(plugin));
}

const JobClass* PluginRegistry::find(std::string_view name) const {
    auto it = classes_.find(name);
    return it == classes_.end() ? nullptr : &it->second;
}

std::vector<const JobClass*> PluginRegistry::classes() const {
    std::vector<const JobClass*> result;
    result.reserve(classes_.size());
    for (const auto& [name, cls] : classes_) result.push_back(&cls);
    return result;
}

size_t PluginRegistry::plugin_count() const { return plugins_.size(); }

}  // namespace onyx::plugins
