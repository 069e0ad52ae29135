#include <onyx_common/json_check.hpp>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

namespace onyx::common {

std::string json_problem(std::string_view json) {
    rapidjson::Document document;
    // Iterative: a deeply nested value cannot overflow the stack (a 200 KB "[[[[..." did).
    // JSON text is UTF-8 (RFC 8259): a string with invalid bytes is refused like bad syntax,
    // so no handler in any language is handed text it cannot decode.
    document.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
    if (!document.HasParseError()) return {};
    return "invalid JSON at offset " + std::to_string(document.GetErrorOffset()) + ": " +
           rapidjson::GetParseError_En(document.GetParseError());
}

}  // namespace onyx::common
