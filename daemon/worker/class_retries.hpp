// The plugin classes' retry limits, published for the watcher (docs/protocol.md,
// `<ns>:class_retries`): the watcher loads no plugins, yet a stale attempt must obey the same
// limit a worker applies (job `rty`, else the class's, else the queue's).
#pragma once

#include "plugins/plugin_registry.hpp"

#include <string>
#include <vector>

namespace onyx::worker {

/// The commands that make `<ns>:class_retries` say what `registry` says: one `HSET` of every
/// class whose plugin sets a retry limit (retries after the first attempt; a class that never
/// retries is written as 0) and one `HDEL` of every class that leaves it to the queue's
/// policy. Either is left out when it has no class; no class at all gives no command. Pure;
/// any thread.
std::vector<std::vector<std::string>> class_retry_commands(const std::string& ns,
                                                           const plugins::PluginRegistry& registry);

}  // namespace onyx::worker
