#include "cli/json_output.hpp"

#include "cli/printable_text.hpp"

#include <cstdio>

namespace onyx::cli {

void json_key(JsonWriter& w, std::string_view key) {
    const std::string text = replace_invalid_utf8(key);
    w.Key(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void json_string(JsonWriter& w, std::string_view value) {
    const std::string text = replace_invalid_utf8(value);
    w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void json_member(JsonWriter& w, std::string_view key, std::string_view value) {
    json_key(w, key);
    json_string(w, value);
}

void json_member(JsonWriter& w, std::string_view key, int64_t value) {
    json_key(w, key);
    w.Int64(value);
}

void json_member(JsonWriter& w, std::string_view key, const std::optional<int64_t>& value) {
    json_key(w, key);
    if (value) w.Int64(*value);
    else w.Null();
}

void json_member(JsonWriter& w, std::string_view key, const std::optional<std::string>& value) {
    if (value) return json_member(w, key, std::string_view(*value));
    json_key(w, key);
    w.Null();
}

void json_bool(JsonWriter& w, std::string_view key, bool value) {
    json_key(w, key);
    w.Bool(value);
}

void print_json(const rapidjson::StringBuffer& buffer) {
    std::fwrite(buffer.GetString(), 1, buffer.GetSize(), stdout);
    std::fputc('\n', stdout);
}

}  // namespace onyx::cli
