#include "support/repeated_failure.hpp"

#include "support/clock.hpp"
#include "support/log.hpp"

#include <fmt/format.h>

namespace onyx::support {

std::optional<std::string> RepeatedFailure::failed(std::string_view reason, int64_t now_ms) {
    ++since_reminder_;
    if (failures_++ == 0) {
        started_ms_ = last_line_ms_ = now_ms;
        since_reminder_ = 0;
        return fmt::format("{} failed: {}", what_, reason);
    }
    if (now_ms - last_line_ms_ < every_ms_) return std::nullopt;
    std::string line = fmt::format("{} still failing ({} failures in the last {} s): {}", what_, since_reminder_,
                                   (now_ms - last_line_ms_) / 1000, reason);
    last_line_ms_ = now_ms;
    since_reminder_ = 0;
    return line;
}

std::optional<std::string> RepeatedFailure::succeeded(int64_t now_ms) {
    if (failures_ == 0) return std::nullopt;
    std::string line = fmt::format("{} works again after {} failures over {} s", what_, failures_,
                                   (now_ms - started_ms_) / 1000);
    failures_ = since_reminder_ = 0;
    return line;
}

void log_failure(RepeatedFailure& failure, std::string_view reason) {
    if (auto line = failure.failed(reason, monotonic_ms())) ONYX_LOG(warn, "{}", *line);
}

void log_success(RepeatedFailure& failure) {
    if (auto line = failure.succeeded(monotonic_ms())) ONYX_LOG(info, "{}", *line);
}

}  // namespace onyx::support
