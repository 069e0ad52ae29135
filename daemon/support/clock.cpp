#include "support/clock.hpp"

#include <ctime>

namespace onyx::support {
namespace {
int64_t read_us(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}
}  // namespace

int64_t wall_ms() { return read_us(CLOCK_REALTIME) / 1000; }
int64_t wall_us() { return read_us(CLOCK_REALTIME); }
int64_t monotonic_ms() { return read_us(CLOCK_MONOTONIC) / 1000; }
int64_t monotonic_us() { return read_us(CLOCK_MONOTONIC); }

}  // namespace onyx::support
