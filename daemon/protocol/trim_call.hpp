// The trim (retention) script's arguments and reply (protocol/scripts.hpp kTrimScript). Pure:
// the watcher feeds replies in, unit tests feed values in.
#pragma once

#include "protocol/script_reply.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace onyx::protocol {

/// How long and how many finished records of one queue are kept. Ages in ms.
struct RetentionPolicy {
    int64_t completed_ttl_ms = 0;
    int64_t max_completed = 0;
    int64_t failed_ttl_ms = 0;
    int64_t max_failed = 0;
    int64_t dead_ttl_ms = 0;
    int64_t max_dead = 0;
};

/// A queue with a policy of its own.
struct QueueRetention {
    std::string queue;
    RetentionPolicy policy;
};

/// One trim call.
struct TrimCall {
    std::string ns;
    int64_t now_ms = 0;     ///< wall clock ms the ages are measured from
    int batch = 0;          ///< at most this many records removed per sorted set per call
    RetentionPolicy default_policy;              ///< for queues not in queue_policies
    std::vector<QueueRetention> queue_policies;  ///< passed in this order
};

/// EVALSHA argv of one trim call: KEYS `<ns>:queues`; ARGV ns, now ms, batch, the default policy's 6 values (completed
/// ttl, completed max, failed ttl, failed max, dead ttl, dead max), then per queue in
/// queue_policies its name and 6 values.
std::vector<std::string> trim_arguments(std::string_view script_sha, const TrimCall& call);

/// What one trim call did.
struct TrimResult {
    int64_t removed = 0; ///< records removed (attempts and dead jobs)
    bool more = false;   ///< some set hit the batch: call again at once
};

/// Decodes the trim reply: {removed count, 1 or 0 for more}. Returns false (and fills `error`)
/// when the reply's shape or a value is wrong.
bool parse_trim_reply(const std::vector<ReplyValue>& values, TrimResult& out, std::string& error);

}  // namespace onyx::protocol
