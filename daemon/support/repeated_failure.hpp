// The log lines of one failure that repeats (a refused write, a full Redis, a refused command):
// one when it starts, with its reason; at most one a minute while it lasts, with how many
// failures since; one when it ends, with how long it lasted. An operator reading the journal
// sees the start, the end and a heartbeat in between, never a line per retry.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace onyx::support {

/// Pure (the caller passes a monotonic time in ms) and not synchronised: one owner thread.
class RepeatedFailure {
public:
    /// `what` names the operation in each line, e.g. "promotion"; `every_ms` is the most
    /// frequent reminder while the failure lasts.
    explicit RepeatedFailure(std::string what, int64_t every_ms = 60'000)
        : what_(std::move(what)), every_ms_(every_ms) {}

    /// A failure at `now_ms` for `reason`: the line to log now ("<what> failed: <reason>" at the
    /// start, "<what> still failing (N failures in the last S s): <reason>" at most once per
    /// `every_ms`), or nullopt.
    std::optional<std::string> failed(std::string_view reason, int64_t now_ms);

    /// A success at `now_ms`: "<what> works again after N failures over S s" when failures came
    /// before it, else nullopt.
    std::optional<std::string> succeeded(int64_t now_ms);

    /// True between a failure and the next success.
    bool failing() const { return failures_ > 0; }

private:
    std::string what_;
    int64_t every_ms_;
    int64_t failures_ = 0;        ///< since the failure started
    int64_t since_reminder_ = 0;  ///< failures since the last line
    int64_t started_ms_ = 0;
    int64_t last_line_ms_ = 0;
};

/// failed() with the monotonic clock, writing its line (if any) at WARN. Owner thread.
void log_failure(RepeatedFailure& failure, std::string_view reason);
/// succeeded() with the monotonic clock, writing its line (if any) at INFO. Owner thread.
void log_success(RepeatedFailure& failure);

}  // namespace onyx::support
