#include "worker/job_policy.hpp"

#include "protocol/retry_policy.hpp"

#include <algorithm>

namespace onyx::worker {

int64_t timeout_for(const config::Config& config, const protocol::ClaimedJob& job,
                    const plugins::JobClass& job_class) {
    if (job.timeout_ms > 0) return job.timeout_ms;
    if (job_class.timeout_ms != 0) return std::max<int64_t>(job_class.timeout_ms, 0);
    return config.queue(job.queue).timeout_ms;
}

std::optional<int64_t> retry_time(const config::Config& config, const protocol::ClaimedJob& job,
                                  const plugins::JobClass* job_class, std::string_view error_class,
                                  int64_t now_ms, double random01) {
    if (protocol::is_permanent_error(error_class)) return std::nullopt;
    const auto& queue = config.queue(job.queue);
    protocol::RetryPolicy policy{queue.retries, queue.backoff_base_ms, queue.backoff_cap_ms, queue.backoff_jitter};
    if (job.retry_limit) policy.retries = *job.retry_limit;
    else if (job_class != nullptr && job_class->retry_limit != 0) policy.retries = std::max(job_class->retry_limit, 0);
    auto delay = protocol::retry_delay_ms(policy, job.failed_before + 1, random01);
    if (!delay) return std::nullopt;
    return now_ms + *delay;
}

}  // namespace onyx::worker
