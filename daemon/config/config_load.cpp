// load_config(): inih does the INI syntax; we hand it the file one line at a time through a
// reader so we always know the line number (Debian's inih 55 handler gets none).
#include "config/config.hpp"

#include "config/config_sections.hpp"
#include "config/config_values.hpp"

#include <onyx_common/redis_url.hpp>

#include <ini.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>

namespace onyx::config {
namespace {

struct Loader {
    std::string path;
    std::vector<std::string> lines;
    size_t next = 0;          // lines handed to inih so far = number of the line it parses
    Config config;
    std::map<std::string, size_t> first_line;  // "section\nkey" -> line it was first set on
    std::string error;        // the first error; parsing stops there
    size_t error_line = 0;

    void fail(std::string message) {
        error = std::move(message);
        error_line = next;
    }
    std::string place() const { return fmt::format("{}:{}", path, next); }
};

// Reads the file as lines without their '\n' or '\r'. Returns false when it does not exist
// and is not required.
bool read_lines(const std::string& path, bool required, std::vector<std::string>& lines) {
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file && errno == ENOENT && !required) return false;
    if (!file)
        throw ConfigError(
            fmt::format("{}: cannot open the config file: {}", path, std::strerror(errno)));
    std::string text;
    char chunk[4096];
    for (size_t n; (n = std::fread(chunk, 1, sizeof chunk, file.get())) > 0;) text.append(chunk, n);
    if (std::ferror(file.get()))
        throw ConfigError(
            fmt::format("{}: cannot read the config file: {}", path, std::strerror(errno)));
    if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);  // UTF-8 byte order mark
    for (size_t start = 0; start < text.size();) {
        const size_t end = std::min(text.find('\n', start), text.size());
        std::string line = text.substr(start, end - start);
        if (line.ends_with('\r')) line.pop_back();
        lines.push_back(std::move(line));
        start = end + 1;
    }
    return true;
}

// inih reports an empty unknown section never (no keys, no call), so headers are checked here.
void check_section_header(Loader& loader, std::string_view line) {
    const size_t close = line.find(']');
    if (!line.starts_with('[') || close == std::string_view::npos) return;
    const std::string_view section = line.substr(1, close - 1);
    try {
        resolve_section(section);
    } catch (const std::invalid_argument& e) {
        loader.fail(fmt::format("{}: [{}]: {}", loader.place(), section, e.what()));
    }
}

// The ini_reader: one line per call, leading blanks removed so that inih never reads an
// indented line as the continuation of the previous value.
char* read_line(char* buffer, int size, void* stream) {
    Loader& loader = *static_cast<Loader*>(stream);
    if (!loader.error.empty() || loader.next >= loader.lines.size()) return nullptr;
    const std::string& raw = loader.lines[loader.next++];
    const size_t indent = std::min(raw.find_first_not_of(" \t"), raw.size());
    const std::string_view line = std::string_view(raw).substr(indent);
    const size_t longest = static_cast<size_t>(size) - 3;  // inih keeps room for \r \n \0
    if (line.size() > longest) {
        loader.fail(fmt::format("{}: line is longer than {} characters", loader.place(), longest));
        return nullptr;
    }
    check_section_header(loader, line);
    if (!loader.error.empty()) return nullptr;
    std::memcpy(buffer, line.data(), line.size());
    buffer[line.size()] = '\n';
    buffer[line.size() + 1] = '\0';
    return buffer;
}

// The ini_handler: one key = value. Always returns 1; errors are kept in the Loader.
int on_pair(void* user, const char* section, const char* key, const char* value) {
    Loader& loader = *static_cast<Loader*>(user);
    if (!loader.error.empty()) return 1;
    const auto [first, fresh] =
        loader.first_line.emplace(fmt::format("{}\n{}", section, key), loader.next);
    if (!fresh) {
        loader.fail(fmt::format("{}: [{}] {} = '{}': duplicate key, first set at line {}",
                                loader.place(), section, key, common::redact_url(trim(value)),
                                first->second));
        return 1;
    }
    try {
        set_value(loader.config, section, key, value, loader.place());
        loader.config.file_keys.places.push_back({loader.place(), section, key});
    } catch (const ConfigError& e) {
        loader.fail(e.what());
    }
    return 1;
}

std::string syntax_error(const Loader& loader, int line_number) {
    const std::string_view text = trim(loader.lines.at(static_cast<size_t>(line_number) - 1));
    const char* reason = text.starts_with('[') ? "section header has no closing ']'"
                                               : "not 'key = value', '[section]' or a comment";
    return fmt::format("{}:{}: '{}': {}", loader.path, line_number, common::redact_url(text), reason);
}

}  // namespace

Config load_config(const std::string& path, bool required) {
    Loader loader;
    loader.path = path;
    if (!read_lines(path, required, loader.lines)) return loader.config;
    loader.config.file_keys.path = path;
    loader.config.file_keys.required = required;
    const int rc = ini_parse_stream(&read_line, &loader, &on_pair, &loader);
    if (rc == -2) throw ConfigError(path + ": out of memory while parsing");
    // inih keeps going after a syntax error; whichever error came first is reported.
    if (rc > 0 && (loader.error.empty() || static_cast<size_t>(rc) < loader.error_line))
        throw ConfigError(syntax_error(loader, rc));
    if (!loader.error.empty()) throw ConfigError(loader.error);
    check_config(loader.config, path);
    return loader.config;
}

}  // namespace onyx::config
