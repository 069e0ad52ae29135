#include "support/wait.hpp"

#include <thread>

namespace onyx::test {

bool try_wait_until(const std::function<bool()>& pred, std::chrono::milliseconds deadline) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    for (;;) {
        // Read the clock before evaluating, so a slow predicate still gets one last try.
        const bool last = std::chrono::steady_clock::now() >= end;
        if (pred()) return true;
        if (last) return false;
        std::this_thread::sleep_for(wait_poll_interval);
    }
}

std::string timeout_message(std::chrono::milliseconds deadline, std::string_view what) {
    return "timed out after " + std::to_string(deadline.count()) + " ms waiting for " +
           std::string(what);
}

void wait_until(const std::function<bool()>& pred, std::chrono::milliseconds deadline,
                std::string_view what) {
    if (try_wait_until(pred, deadline)) return;
    throw WaitTimeout(timeout_message(deadline, what));
}

}  // namespace onyx::test
