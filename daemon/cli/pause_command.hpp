// `onyx-background pause QUEUE` / `onyx-background resume QUEUE`: adds the queue to (removes
// it from) `<ns>:paused`. Workers do not claim from a paused queue; jobs keep arriving in its
// `ready:<q>` and run after `resume`. `status` shows the queue as paused.
#pragma once

#include "config/config.hpp"

#include <optional>
#include <string>
#include <vector>

namespace onyx::cli {

/// Pauses (`pause` true) or resumes each queue of `queues` (positional) and `queue_flag` (-q,
/// comma-separated) and prints one line per queue saying what changed. Returns 0; 2 when no
/// queue is given, a name is bad or Redis cannot be reached.
int run_pause_command(const config::Config& config, const std::vector<std::string>& queues,
                      const std::optional<std::string>& queue_flag, bool pause);

}  // namespace onyx::cli
