// Calling a plugin handler for one attempt through the C ABI: builds the job context, provides
// the host API (log, fail, cancel_requested) and turns the result into an outcome.
#pragma once

#include "plugins/plugin_registry.hpp"

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace onyx::plugins {

/// The attempt a handler runs. The executor owns it; the strings must outlive the call.
struct JobInvocation {
    std::string_view job_id;
    std::string_view attempt_id;
    std::string_view queue;
    std::string_view job_class;
    std::string_view args_json;   ///< the job's `arg`, "{}" when empty
    int64_t enqueued_at_ms = 0;   ///< `qat`, 0 when absent
    int64_t started_at_ms = 0;    ///< `sta`
    uint32_t attempt_number = 1;
    /// Set by any thread to ask the handler to stop (timeout, shutdown). Read by
    /// host->cancel_requested. May be null (never cancelled).
    const std::atomic<bool>* cancel = nullptr;
};

/// How an attempt ended.
struct JobOutcome {
    bool ok = false;
    std::string error_class;   ///< e.g. "std::runtime_error"; empty when ok
    std::string error_message; ///< at most kMaxErrorMessageBytes bytes (cut at a UTF-8 boundary)
};

/// Largest error message kept in an attempt (bytes), per docs/protocol.md.
inline constexpr size_t kMaxErrorMessageBytes = 1024;

/// Runs `job_class`'s handler for `invocation` on the calling thread (an executor thread,
/// never the loop). A handler that returns FAILED without calling host->fail gets
/// error_class "JobFailed"; any return value other than OK/FAILED gets "InvalidHandlerResult".
/// Never throws. Thread-safe: any number of threads may invoke jobs at once.
JobOutcome invoke_job(const JobClass& job_class, const JobInvocation& invocation);

}  // namespace onyx::plugins
