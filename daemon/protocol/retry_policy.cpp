#include "protocol/retry_policy.hpp"

#include "protocol/attempt_records.hpp"

#include <algorithm>
#include <cmath>

namespace onyx::protocol {

std::optional<int64_t> retry_delay_ms(const RetryPolicy& policy, uint32_t attempt_number, double random01) {
    if (attempt_number == 0 || static_cast<int64_t>(attempt_number) > policy.retries) return std::nullopt;
    // 2^62 overflows nothing below; past ~40 doublings every delay is the cap anyway.
    const uint32_t doublings = std::min<uint32_t>(attempt_number - 1, 40);
    const double raw = static_cast<double>(policy.base_ms) * std::ldexp(1.0, static_cast<int>(doublings));
    const double capped = std::min(raw, static_cast<double>(policy.cap_ms));
    const double jitter = std::clamp(policy.jitter, 0.0, 1.0) * std::clamp(random01, 0.0, 1.0);
    return static_cast<int64_t>(capped * (1.0 - jitter));
}

bool is_permanent_error(std::string_view error_class) {
    return error_class == errors::kInvalidArguments || error_class == errors::kInvalidJob ||
           error_class == errors::kJobNotFound;
}

}  // namespace onyx::protocol
