// `onyx-background dequeue ID`: the original Manager's dequeue. A job still waiting in
// `ready:<q>`, `scheduled:<q>` or `retry:<q>` is removed from it and its hash deleted, in one
// Lua script; a job a worker already claimed is left alone and reported.
#pragma once

#include "config/config.hpp"

#include <string>

namespace onyx::cli {

/// Dequeues `job_id`. Returns 0 when it was removed; 1 when there is no such job, or it is
/// not waiting (already claimed by a worker, finished, or dead); 2 when Redis cannot be reached.
int run_dequeue_command(const config::Config& config, const std::string& job_id);

}  // namespace onyx::cli
