// JSON output of the operator subcommands (--json): rapidjson's writer plus helpers for the
// members every record has. Field names and units are listed in docs/cli.md; times are
// epoch ms integers, durations ms, absent values null. Strings may hold any bytes read from
// Redis: they are written through replace_invalid_utf8 (cli/printable_text.hpp), so the
// output is valid UTF-8 JSON; rapidjson escapes NUL and the other control characters.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace onyx::cli {

/// The writer every --json output uses.
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

/// Writes `"value"` (binary-safe length; bytes that are not UTF-8 become U+FFFD).
void json_string(JsonWriter& w, std::string_view value);
/// Writes `"key": "value"` (binary-safe length; bytes that are not UTF-8 become U+FFFD).
void json_member(JsonWriter& w, std::string_view key, std::string_view value);
/// Writes `"key": "value"` for a literal.
inline void json_member(JsonWriter& w, std::string_view key, const char* value) {
    json_member(w, key, std::string_view(value));
}
/// Writes `"key": "value"` for a std::string.
inline void json_member(JsonWriter& w, std::string_view key, const std::string& value) {
    json_member(w, key, std::string_view(value));
}
/// Writes `"key": value` for a whole number.
void json_member(JsonWriter& w, std::string_view key, int64_t value);
/// Writes `"key": value` or `"key": null`.
void json_member(JsonWriter& w, std::string_view key, const std::optional<int64_t>& value);
/// Writes `"key": "value"` or `"key": null`.
void json_member(JsonWriter& w, std::string_view key, const std::optional<std::string>& value);
/// Writes `"key": true|false`.
void json_bool(JsonWriter& w, std::string_view key, bool value);
/// Writes `"key"` (the value follows with the next writer call; bytes that are not UTF-8
/// become U+FFFD).
void json_key(JsonWriter& w, std::string_view key);

/// Prints the buffer's text and a newline to stdout.
void print_json(const rapidjson::StringBuffer& buffer);

}  // namespace onyx::cli
