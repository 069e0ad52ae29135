// The executor threads that run job handlers. Job code never runs on the loop thread.
#pragma once

#include "worker/job_run.hpp"

#include <uv.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace onyx::worker {

/// A fixed pool of `threads` executor threads with one FIFO of runs to do and one list of
/// finished runs. Finished runs are handed back to the loop through a uv_async_t, so the
/// loop learns of them without polling; the callback drains them with take_finished().
class ExecutorPool {
public:
    /// Starts the threads. `on_finished` runs on the loop thread after runs finish (coalesced:
    /// one call may cover many runs). Must be constructed on the loop thread.
    ExecutorPool(uv_loop_t* loop, int threads, std::function<void()> on_finished);
    ~ExecutorPool();
    ExecutorPool(const ExecutorPool&) = delete;
    ExecutorPool& operator=(const ExecutorPool&) = delete;

    /// Queues many runs under one lock and wakes one idle thread; each thread that takes a run
    /// while more wait wakes one more idle thread. Loop thread.
    void submit_many(std::vector<std::unique_ptr<JobRun>> runs);

    /// Finished runs since the last call, in finishing order. Loop thread.
    std::vector<std::unique_ptr<JobRun>> take_finished();

    /// Removes runs that no thread has started yet (for handing them back at shutdown). Loop thread.
    std::vector<std::unique_ptr<JobRun>> take_unstarted();

    /// Runs that a thread is executing now. Any thread.
    int running() const;

    /// Attempt ids of every run queued or running. Loop thread.
    std::vector<std::string> held_attempt_ids() const;

    /// Attempt ids of the runs whose handler a thread is executing now (timed-out ones
    /// included: their handler still runs), at most one per thread. Any thread.
    std::vector<std::string> running_attempt_ids() const;

    /// Copies of the jobs that threads are executing now. Loop thread.
    std::vector<protocol::ClaimedJob> running_jobs() const;

    /// Runs whose handler has run longer than their timeout_ms, not reported before: marks
    /// each timed_out, sets its cancel flag, and returns it. The run stays owned by its thread
    /// (its slot stays taken) until the handler returns. Loop thread.
    std::vector<JobRun*> take_expired(int64_t now_us);

    /// Asks every running handler to stop (cooperative cancel flag). Loop thread.
    void cancel_running();

    /// Stops taking runs and closes the async handle; `done` runs when it is closed. The
    /// destructor joins the threads, so destroy the pool only when running() == 0. Loop thread.
    void close(std::function<void()> done);

private:
    void thread_main();
    bool claim_wake();
    static void execute(JobRun& run);

    uv_async_t async_{};
    std::function<void()> on_finished_;
    std::function<void()> on_closed_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::unique_ptr<JobRun>> todo_;
    std::vector<std::unique_ptr<JobRun>> finished_;
    std::vector<JobRun*> running_;
    bool stopping_ = false;
    int idle_threads_ = 0; ///< threads waiting for a run (guarded by mutex_)
    int pending_wakes_ = 0; ///< notify_one calls not yet met by a wake-up (guarded by mutex_)
    std::vector<std::thread> threads_;
};

}  // namespace onyx::worker
