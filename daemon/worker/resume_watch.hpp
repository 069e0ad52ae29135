// Notices promptly that a paused queue was resumed. A paused queue has no wake-up BLMOVE (it
// would reserve ids that the claim must then leave alone), so nothing in Redis wakes an idle
// worker when `resume` removes the queue from `<ns>:paused`. While the claimer reports paused
// queues, this asks Redis every kResumeCheckMs with one SMISMEMBER on the bookkeeping
// connection; while no queue is paused it sends nothing and its timer is stopped.
#pragma once

#include "redis/async_connection.hpp"

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace onyx::worker {

/// How often paused queues are checked for a resume (ms): the delay between `resume` and an
/// idle worker claiming from the queue, at most.
inline constexpr uint64_t kResumeCheckMs = 250;

/// Loop thread only. Owns a uv timer: call close() and wait for its callback before
/// destroying the object.
class ResumeWatch {
public:
    /// `paused_key` is `<ns>:paused`; `queues` are the worker's queues, whose indexes are the
    /// ones watch() and `on_resumed` use. `on_resumed` runs on the loop thread with the indexes
    /// of watched queues found no longer paused. `bookkeeping` must outlive this object.
    ResumeWatch(uv_loop_t* loop, redis::AsyncConnection& bookkeeping, std::string paused_key,
                std::vector<std::string> queues, std::function<void(const std::vector<size_t>&)> on_resumed);
    ResumeWatch(const ResumeWatch&) = delete;
    ResumeWatch& operator=(const ResumeWatch&) = delete;

    /// Watches the queues marked true in `paused` (one flag per queue): checks them every
    /// kResumeCheckMs from now on, or stops checking when none is marked. A running timer keeps
    /// its phase, so calling this after every claim does not postpone the next check.
    void watch(const std::vector<bool>& paused);

    /// Stops checking until the next watch() (the worker is busy, quiet or stopping: a busy
    /// worker's claims report resumed queues themselves).
    void stop();

    /// Stops for good and closes the timer; `done` runs once it is closed.
    void close(std::function<void()> done);

private:
    void check();

    uv_timer_t timer_{};
    redis::AsyncConnection& bookkeeping_;
    std::string paused_key_;
    std::vector<std::string> queues_;
    std::function<void(const std::vector<size_t>&)> on_resumed_;
    std::function<void()> on_closed_;
    std::vector<size_t> watched_;   ///< indexes of the queues to check
    bool check_in_flight_ = false;  ///< one SMISMEMBER at a time, however slow Redis is
    bool closing_ = false;
    bool logged_error_ = false;
};

}  // namespace onyx::worker
