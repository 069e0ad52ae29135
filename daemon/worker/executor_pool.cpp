#include "worker/executor_pool.hpp"

#include "support/clock.hpp"
#include "support/log.hpp"

#include <onyx_common/json_check.hpp>

#include <algorithm>

namespace onyx::worker {

ExecutorPool::ExecutorPool(uv_loop_t* loop, int threads, std::function<void()> on_finished)
    : on_finished_(std::move(on_finished)) {
    uv_async_init(loop, &async_, [](uv_async_t* a) { static_cast<ExecutorPool*>(a->data)->on_finished_(); });
    async_.data = this;
    threads_.reserve(static_cast<size_t>(threads));
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { thread_main(); });
}

ExecutorPool::~ExecutorPool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) {
        if (t.joinable()) t.join();
    }
}

// Wakes one idle thread, unless every idle thread already has a wake-up on its way. Called
// with mutex_ held; the caller notifies after unlocking when it returns true.
bool ExecutorPool::claim_wake() {
    if (idle_threads_ <= pending_wakes_) return false;
    ++pending_wakes_;
    return true;
}

// One wake-up per batch: the woken thread wakes the next while runs are left (thread_main), so
// a batch of short runs is taken by the threads already awake instead of waking every idle
// thread to find the queue empty (a sleep and a wake per thread per batch).
void ExecutorPool::submit_many(std::vector<std::unique_ptr<JobRun>> runs) {
    if (runs.empty()) return;
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        for (auto& run : runs) todo_.push_back(std::move(run));
        wake = claim_wake();
    }
    if (wake) wake_.notify_one();
}

std::vector<std::unique_ptr<JobRun>> ExecutorPool::take_finished() {
    std::lock_guard lock(mutex_);
    return std::exchange(finished_, {});
}

std::vector<std::unique_ptr<JobRun>> ExecutorPool::take_unstarted() {
    std::lock_guard lock(mutex_);
    std::vector<std::unique_ptr<JobRun>> out;
    for (auto& run : todo_) out.push_back(std::move(run));
    todo_.clear();
    return out;
}

int ExecutorPool::running() const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(running_.size());
}

std::vector<std::string> ExecutorPool::held_attempt_ids() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    for (const auto& run : todo_) ids.push_back(run->job.attempt_id);
    for (const JobRun* run : running_) ids.push_back(run->job.attempt_id);
    for (const auto& run : finished_) ids.push_back(run->job.attempt_id);
    return ids;
}

std::vector<std::string> ExecutorPool::running_attempt_ids() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    ids.reserve(running_.size());
    for (const JobRun* run : running_) ids.push_back(run->job.attempt_id);
    return ids;
}

std::vector<protocol::ClaimedJob> ExecutorPool::running_jobs() const {
    std::lock_guard lock(mutex_);
    std::vector<protocol::ClaimedJob> jobs;
    for (const JobRun* run : running_) jobs.push_back(run->job);
    return jobs;
}

std::vector<JobRun*> ExecutorPool::take_expired(int64_t now_us) {
    std::lock_guard lock(mutex_);
    std::vector<JobRun*> expired;
    for (JobRun* run : running_) {
        const int64_t started = run->started_us.load();
        if (run->timed_out || run->timeout_ms <= 0 || started == 0) continue;
        if (now_us - started < run->timeout_ms * 1000) continue;
        run->timed_out = true;
        run->cancel.store(true);
        expired.push_back(run);
    }
    return expired;
}

void ExecutorPool::cancel_running() {
    std::lock_guard lock(mutex_);
    for (JobRun* run : running_) run->cancel.store(true);
}

void ExecutorPool::thread_main() {
    std::unique_lock lock(mutex_);
    while (true) {
        if (!stopping_ && todo_.empty()) {
            ++idle_threads_;
            // Every wake-up, notified or spurious, meets one pending wake: an undercount only
            // costs a spare wake-up later, an overcount would strand runs.
            while (!stopping_ && todo_.empty()) {
                wake_.wait(lock);
                if (pending_wakes_ > 0) --pending_wakes_;
            }
            --idle_threads_;
        }
        if (stopping_) return;
        std::unique_ptr<JobRun> run = std::move(todo_.front());
        todo_.pop_front();
        running_.push_back(run.get());
        const bool wake_next = !todo_.empty() && claim_wake();
        lock.unlock();
        if (wake_next) wake_.notify_one();
        execute(*run);
        lock.lock();
        running_.erase(std::find(running_.begin(), running_.end(), run.get()));
        const bool first = finished_.empty();
        finished_.push_back(std::move(run));
        // The loop takes every finished run at once: one wake-up per batch is enough.
        if (first) uv_async_send(&async_);
    }
}

void ExecutorPool::execute(JobRun& run) {
    const auto& job = run.job;
    const int64_t started_us = support::monotonic_us();
    run.started_us.store(started_us);
    if (std::string problem = common::json_problem(job.args_json); !problem.empty()) {
        run.outcome = {false, std::string(protocol::errors::kInvalidArguments), problem};
    } else {
        ONYX_LOG(debug, "[{}] Performing {} {}...", job.job_id, *job.job_class, job.args_json);
        plugins::JobInvocation invocation{job.job_id, job.attempt_id, job.queue, *job.job_class,
                                          job.args_json, job.enqueued_at_ms, job.started_at_ms,
                                          job.failed_before + 1, &run.cancel};
        run.outcome = plugins::invoke_job(*run.job_class, invocation);
    }
    run.processing_ms = static_cast<double>(support::monotonic_us() - started_us) / 1000.0;
    run.finished_at_ms = support::wall_ms();
}

void ExecutorPool::close(std::function<void()> done) {
    on_closed_ = std::move(done);
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    // Threads blocked in wait() return at once. The owner destroys the pool only when no
    // handler runs (a handler cannot be interrupted); otherwise it exits the process instead.
    uv_close(reinterpret_cast<uv_handle_t*>(&async_), [](uv_handle_t* h) {
        auto* self = static_cast<ExecutorPool*>(h->data);
        if (self->on_closed_) self->on_closed_();
    });
}

}  // namespace onyx::worker
