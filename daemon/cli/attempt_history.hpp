// All attempts of one job, oldest first. Our worker links them: the job's `lat` names the
// latest attempt and each attempt's `prv` the one before. Jobs run by the original workers
// have no links, so their attempts are found by reading `job` of every attempt in the queue's
// processing, failed and completed sets (one pipelined HGET per attempt: slow on a huge
// queue, but it only runs for such jobs).
#pragma once

#include "cli/job_records.hpp"

#include <vector>

namespace onyx::cli {

/// The attempts of `job`, oldest first (by the chain, else by `sta`). A chain cut by purge
/// stops at the first missing attempt. Throws common::RedisError.
std::vector<AttemptRecord> read_attempt_history(CommandContext& ctx, const JobRecord& job);

}  // namespace onyx::cli
