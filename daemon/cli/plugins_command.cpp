#include "cli/plugins_command.hpp"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <vector>

namespace onyx::cli {

namespace {

using plugins::JobClass;

void print_table(const std::vector<const JobClass*>& classes) {
    size_t class_width = 5, plugin_width = 6, version_width = 7;  // the headers' widths
    for (const JobClass* c : classes) {
        class_width = std::max(class_width, c->name.size());
        plugin_width = std::max(plugin_width, c->plugin_name.size());
        version_width = std::max(version_width, c->plugin_version.size());
    }
    auto row = [&](std::string_view cls, std::string_view plugin, std::string_view version,
                   std::string_view file) {
        fmt::print("{:<{}}  {:<{}}  {:<{}}  {}\n", cls, class_width, plugin, plugin_width, version,
                   version_width, file);
    };
    row("CLASS", "PLUGIN", "VERSION", "FILE");
    for (const JobClass* c : classes) row(c->name, c->plugin_name, c->plugin_version, c->plugin_file);
}

void write_string(rapidjson::Writer<rapidjson::StringBuffer>& w, std::string_view text) {
    w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void write_member(rapidjson::Writer<rapidjson::StringBuffer>& w, const char* key, std::string_view value) {
    w.Key(key);
    write_string(w, value);
}

void print_json(const std::string& plugin_dir, const std::vector<const JobClass*>& classes,
                const std::vector<std::string>& errors) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    write_member(w, "plugin_dir", plugin_dir);
    w.Key("classes");
    w.StartArray();
    for (const JobClass* c : classes) {
        w.StartObject();
        write_member(w, "class", c->name);
        write_member(w, "plugin", c->plugin_name);
        write_member(w, "version", c->plugin_version);
        write_member(w, "file", c->plugin_file);
        w.EndObject();
    }
    w.EndArray();
    w.Key("errors");
    w.StartArray();
    for (const std::string& e : errors) write_string(w, e);
    w.EndArray();
    w.EndObject();
    fmt::print("{}\n", std::string_view(buffer.GetString(), buffer.GetSize()));
}

}  // namespace

int run_plugins_command(const std::string& plugin_dir, const plugins::LoadOptions& options, bool json) {
    plugins::LoadOptions lenient = options;
    lenient.strict = false;
    lenient.log_skipped = false;  // reported below, once
    plugins::PluginRegistry registry;
    std::vector<std::string> errors;
    try {
        errors = registry.load_directory(plugin_dir, lenient);
    } catch (const plugins::PluginError& e) {
        errors.emplace_back(e.what());
    }
    for (const std::string& e : errors) fmt::print(stderr, "error: {}\n", e);
    if (json) print_json(plugin_dir, registry.classes(), errors);
    else print_table(registry.classes());
    std::fflush(stdout);
    return errors.empty() ? 0 : 1;
}

}  // namespace onyx::cli
