// The recover script's arguments and reply (protocol/scripts.hpp kRecoverScript). Pure: the
// watcher feeds replies in, unit tests feed values in.
#pragma once

#include "protocol/script_reply.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace onyx::protocol {

/// A queue's retry limit (retries after the first attempt), as the recover script applies it.
struct QueueRetryLimit {
    std::string queue;
    int limit = 0;
};

/// One recover call.
struct RecoverCall {
    std::string ns;
    int64_t now_ms = 0;      ///< wall clock ms: workers whose lease ended before it are dead
    int batch = 0;           ///< at most this many dead workers per call
    std::string message;     ///< `msg` of the attempts it fails
    int default_retry_limit = 0;               ///< for queues not in queue_retry_limits
    std::vector<QueueRetryLimit> queue_retry_limits; ///< passed in this order
};

/// EVALSHA argv of one recover call: KEYS `<ns>:workers`, `<ns>:queues`, `<ns>:class_retries`;
/// ARGV ns, now ms, batch, message, default retry limit, then (queue, limit) pairs.
std::vector<std::string> recover_arguments(std::string_view script_sha, const RecoverCall& call);

/// What one recover call did. All counts.
struct RecoverResult {
    int64_t workers = 0;            ///< dead workers recovered and removed from the registry
    int64_t attempts_counted = 0;   ///< failed as "Worker Timeout", counted against their jobs
    int64_t reserved_returned = 0;  ///< ids moved from reservation lists back to ready
    int64_t attempts_uncounted = 0; ///< failed as "Worker Lost", their jobs put back uncounted
    int64_t jobs_dead = 0;          ///< jobs of counted attempts that went to dead, past their limit
};

/// Decodes the recover reply: {workers, attempts counted, reserved ids returned, attempts not
/// counted, jobs dead}. Returns false (and fills `error`) when the reply's shape or a value is
/// wrong.
bool parse_recover_reply(const std::vector<ReplyValue>& values, RecoverResult& out, std::string& error);

}  // namespace onyx::protocol
