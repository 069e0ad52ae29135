// One claimed attempt as it travels loop -> executor thread -> loop.
#pragma once

#include "plugins/job_invocation.hpp"
#include "plugins/plugin_registry.hpp"
#include "protocol/attempt_records.hpp"

#include <atomic>
#include <memory>
#include <cstdint>

namespace onyx::worker {

/// A claimed attempt and, once run, its outcome. Created and destroyed on the loop thread;
/// while an executor thread runs it, only that thread touches it (except `cancel`).
struct JobRun {
    protocol::ClaimedJob job;
    const plugins::JobClass* job_class = nullptr; ///< resolved on the loop before submit
    /// Keeps the plugins that job_class belongs to loaded until the run is destroyed, so a
    /// reload never unloads code a job still runs.
    std::shared_ptr<const plugins::PluginRegistry> registry;
    plugins::JobOutcome outcome;
    int64_t finished_at_ms = 0;   ///< wall clock ms
    double processing_ms = 0;     ///< handler time (monotonic), ms
    std::atomic<bool> cancel{false}; ///< set by the loop on timeout or shutdown
    int64_t timeout_ms = 0;          ///< resolved at dispatch: job, class, then queue; 0 = none
    std::atomic<int64_t> started_us{0}; ///< monotonic us when a thread started it; 0 = not yet
    bool timed_out = false;          ///< loop only: already recorded as failed with Timeout
};

}  // namespace onyx::worker
