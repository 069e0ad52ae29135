#include "protocol/script_reply.hpp"

#include <fmt/format.h>

#include <charconv>

namespace onyx::protocol {

std::optional<int64_t> reply_integer(const ReplyValue& value) {
    if (!value || value->empty()) return std::nullopt;
    const char* end = value->data() + value->size();
    int64_t number = 0;
    const auto [stop, ec] = std::from_chars(value->data(), end, number);
    if (ec != std::errc() || stop != end) return std::nullopt;
    return number;
}

bool read_counts(std::string_view script, const std::vector<ReplyValue>& values, size_t size,
                 std::initializer_list<int64_t*> counts, std::string& error) {
    if (values.size() != size) {
        error = fmt::format("{} reply has {} values, not {}", script, values.size(), size);
        return false;
    }
    size_t index = 0;
    for (int64_t* count : counts) {
        const auto number = reply_integer(values[index]);
        if (!number || *number < 0) {
            error = fmt::format("{} reply value {} is {}, not a count", script, index + 1,
                                describe_reply_value(values[index]));
            return false;
        }
        *count = *number;
        ++index;
    }
    return true;
}

std::string describe_reply_value(const ReplyValue& value) {
    constexpr size_t kShown = 40;
    if (!value) return "nil";
    if (value->size() <= kShown) return fmt::format("'{}'", *value);
    return fmt::format("'{}...'", value->substr(0, kShown));
}

}  // namespace onyx::protocol
