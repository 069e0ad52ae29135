// When a failed job runs again: exponential backoff with jitter, per queue, overridable per
// job class (its plugin) and per job (`rty`). Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace onyx::protocol {

/// A retry policy. Durations in ms.
struct RetryPolicy {
    int retries = 25;              ///< retries after the first attempt
    int64_t base_ms = 15000;       ///< delay before the first retry
    int64_t cap_ms = 3600000;      ///< largest delay
    double jitter = 0.25;          ///< 0..1: the delay is shortened by up to this fraction at random
};

/// Delay before the retry that follows failed attempt number `attempt_number` (1-based):
/// min(cap, base * 2^(attempt_number - 1)) * (1 - jitter * random01), `random01` in [0, 1).
/// Returns nullopt when the job has used its retries (attempt_number > retries).
std::optional<int64_t> retry_delay_ms(const RetryPolicy& policy, uint32_t attempt_number, double random01);

/// True for errors that a retry cannot fix (the job would fail the same way): the job goes
/// to the dead set at once. InvalidArguments, InvalidJob (no `cls`), JobNotFound.
bool is_permanent_error(std::string_view error_class);

}  // namespace onyx::protocol
