// The worker daemon's state machine, shared by the files of worker/ that implement it:
// worker_daemon.cpp (connections, claiming, running, recording outcomes) and
// worker_lifecycle.cpp (signals, quiet, reload, shutdown). Not a public interface: the entry
// points are in worker.hpp. Loop thread only.
#pragma once

#include "config/config.hpp"
#include "support/repeated_failure.hpp"
#include "plugins/plugin_set.hpp"
#include "protocol/attempt_records.hpp"
#include "redis/async_connection.hpp"
#include "worker/claimer.hpp"
#include "worker/executor_pool.hpp"
#include "worker/finisher.hpp"
#include "worker/heartbeat.hpp"
#include "worker/slot_budget.hpp"

#include <onyx_background/keys.hpp>
#include <onyx_common/redis_url.hpp>

#include <uv.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace onyx::worker::detail {

/// Where a worker is in its life; it only ever moves forward (quiet may be skipped).
enum class Phase { running, quiet, stopping, stopped };

/// How often running handlers are checked against their timeout (ms): the resolution of timeouts.
constexpr uint64_t kTimeoutCheckMs = 100;

/// How long a stopping worker waits for its last outcomes to be written (ms).
constexpr uint64_t kFinisherGraceMs = 2000;

/// The phase as written to the registry's `state` field and to STATUS= lines.
constexpr std::string_view phase_name(Phase phase) {
    constexpr std::string_view names[] = {"running", "quiet", "stopping", "stopped"};
    return names[static_cast<int>(phase)];
}

/// One worker process: owns the loop's Redis connections, the executor pool, the claimer and
/// the finisher, and walks the lifecycle running -> quiet -> stopping -> stopped.
class Worker {
public:
    Worker(uv_loop_t* loop, const config::Config& config, plugins::PluginSet& plugins,
           common::RedisEndpoint endpoint);
    void start();
    /// True while an executor thread is inside a handler (it cannot be joined).
    bool handlers_running() const { return pool_->running() > 0; }

private:
    redis::AsyncOptions connection_options(std::string label, std::string name) const;
    void on_main_ready(int64_t client_id);
    void on_bookkeeping_ready();
    void adopt_orphans();
    void publish_class_retries();
    void on_claimed(std::vector<protocol::ClaimedJob> jobs);
    void dispatch(protocol::ClaimedJob job, std::vector<std::unique_ptr<JobRun>>& runs);
    void finish_without_running(protocol::ClaimedJob job, std::string_view error_class, std::string message);
    void on_runs_finished();
    void record(const protocol::ClaimedJob& job, const JobRun& run);
    void check_timeouts();
    void beat();
    void tick();
    void on_signal(int signum);
    void go_quiet();
    void reload_plugins();
    bool reread_plugin_settings();
    std::string status_line() const;
    void begin_stop();
    void check_stop();
    void hand_back_and_exit();
    void hand_back_unstarted(const std::vector<protocol::ClaimedJob>& jobs);
    void note_hand_back(const redisReply* reply, std::string_view error);
    void close_everything();

    uv_loop_t* loop_;
    const config::Config& config_;
    plugins::PluginSet& plugins_;
    std::shared_ptr<const plugins::PluginRegistry> registry_; ///< the set new jobs start on
    uv_timer_t watchdog_timer_{};
    bool notified_ready_ = false;
    bool logged_publish_error_ = false; ///< publish_class_retries warned; quiet until one succeeds
    support::RepeatedFailure heartbeat_refused_{"heartbeat"}; ///< before the connections: outlives their replies
    common::RedisEndpoint endpoint_;
    onyx_background::Keys keys_;
    WorkerInfo info_;
    std::vector<std::unique_ptr<redis::AsyncConnection>> wake_; ///< [0] is the main connection
    std::unique_ptr<redis::AsyncConnection> bookkeeping_;
    SlotBudget slots_; ///< what is held and read, against concurrency + prefetch
    std::unique_ptr<ExecutorPool> pool_;
    std::unique_ptr<Claimer> claimer_;
    std::unique_ptr<Finisher> finisher_;
    uv_timer_t tick_timer_{};
    uv_timer_t stop_timer_{};
    uv_timer_t timeout_timer_{};
    uv_signal_t signals_[5]{};
    Phase phase_ = Phase::running;
    uint64_t done_ = 0;   ///< attempts finished by this process
    int interrupts_ = 0;
    bool wakes_drained_ = false;     ///< stopping: every BLMOVE returned, reserved ids given back
    /// Something could not be handed back: leave the registry entry to expire, so a watcher
    /// recovers what is left (reserved ids, attempts) once the lease ends.
    bool keep_registration_ = false;
    bool handing_back_ = false;
    bool waited_for_finisher_ = false; ///< close_everything already waited once for the finisher
};

}  // namespace onyx::worker::detail
