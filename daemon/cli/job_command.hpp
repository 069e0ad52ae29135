// `onyx-background job ID [--json]`: the job hash decoded (times as ISO 8601 and ms), where
// the job is now, and all its attempts in order with outcome, duration, error class and message.
#pragma once

#include "config/config.hpp"

#include <string>

namespace onyx::cli {

/// Prints job `job_id`. Returns 0, 1 when there is neither a job hash nor an attempt of it
/// ("job ID not found"), 2 when Redis cannot be reached.
int run_job_command(const config::Config& config, const std::string& job_id, bool json);

}  // namespace onyx::cli
