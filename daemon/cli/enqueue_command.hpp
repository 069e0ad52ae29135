// `onyx-background enqueue CLS [ARGS_JSON] [--queue Q] [--in DURATION | --at TIME]`.
#pragma once

#include "config/config.hpp"

#include <optional>
#include <string>

namespace onyx::cli {

/// What the enqueue command was asked to do.
struct EnqueueRequest {
    std::string job_class;
    std::string args_json = "{}";
    std::optional<std::string> queue;   ///< -q; default "default"
    std::optional<std::string> in;      ///< --in DURATION ("5m", "30s", "1500ms")
    std::optional<std::string> at;      ///< --at TIME (ISO 8601 UTC or epoch ms)
    std::optional<int> retries;         ///< --retries N
    int count = 1;                      ///< --count N: enqueue N copies (load tests, demos)
};

/// Validates the request, enqueues through the producer library and prints each job id on its
/// own line. Returns 0, or 2 with one line on stderr naming the bad value or the unreachable
/// Redis (password hidden).
int run_enqueue_command(const config::Config& config, const EnqueueRequest& request);

}  // namespace onyx::cli
