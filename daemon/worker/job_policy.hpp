// Which timeout and retry policy applies to one attempt: the job's own fields beat its class's
// override (from its plugin), which beats the queue's [queue.<name>] settings. Pure.
#pragma once

#include "config/config.hpp"
#include "plugins/plugin_registry.hpp"
#include "protocol/attempt_records.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace onyx::worker {

/// Timeout of an attempt in ms, 0 = none: the job's `tmo` when set, else the class's
/// override (-1 = none), else the queue's `timeout`.
int64_t timeout_for(const config::Config& config, const protocol::ClaimedJob& job,
                    const plugins::JobClass& job_class);

/// When a failed attempt's job runs again: the retry time (epoch ms) from the backoff policy,
/// or nullopt when the failure is final (retries used up, or a permanent error such as
/// InvalidArguments). The limit is the job's `rty`, else the class's override (-1 = never),
/// else the queue's `retries`. `job_class` may be null (unknown class). `random01` in [0, 1)
/// draws the jitter.
std::optional<int64_t> retry_time(const config::Config& config, const protocol::ClaimedJob& job,
                                  const plugins::JobClass* job_class, std::string_view error_class,
                                  int64_t now_ms, double random01);

}  // namespace onyx::worker
