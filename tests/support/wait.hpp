// Bounded waits for tests: every wait has a deadline and says what it waited for
// (CONVENTIONS.md 19). Never a bare sleep.
#pragma once

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace onyx::test {

using namespace std::chrono_literals;

/// Thrown by wait_until on timeout. A test that lets it escape fails with its message.
class WaitTimeout : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// How often the waits below re-evaluate their predicate.
inline constexpr std::chrono::milliseconds wait_poll_interval{2};

/// Calls `pred` until it returns true or `deadline` (from now, monotonic) has passed; `pred`
/// is evaluated at least once and once more at the deadline. Returns whether it became true.
/// Exceptions from `pred` propagate. Runs on the calling thread.
bool try_wait_until(const std::function<bool()>& pred, std::chrono::milliseconds deadline);

/// Like try_wait_until, but on timeout throws WaitTimeout with the message
/// "timed out after <N> ms waiting for <what>". GoogleTest fails a test that lets it escape
/// and prints that message; use try_wait_until to wait for something that may not happen.
void wait_until(const std::function<bool()>& pred, std::chrono::milliseconds deadline,
                std::string_view what);

/// The message wait_until uses on timeout, for callers that report it themselves.
std::string timeout_message(std::chrono::milliseconds deadline, std::string_view what);

}  // namespace onyx::test
