// Time sources. Redis fields hold wall-clock Unix epoch milliseconds (the Onyx::Background
// layout); timers and durations use the monotonic clock.
#pragma once

#include <cstdint>

namespace onyx::support {

/// Wall clock: Unix epoch milliseconds. Thread-safe.
int64_t wall_ms();

/// Wall clock: Unix epoch microseconds, for sub-millisecond processing times. Thread-safe.
int64_t wall_us();

/// Monotonic clock in milliseconds from an arbitrary origin. Thread-safe.
int64_t monotonic_ms();

/// Monotonic clock in microseconds from an arbitrary origin. Thread-safe.
int64_t monotonic_us();

}  // namespace onyx::support
