// The promote script's arguments and reply (protocol/scripts.hpp kPromoteScript). Pure: the
// watcher feeds replies in, unit tests feed values in.
#pragma once

#include "protocol/script_reply.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onyx::protocol {

/// One promote call.
struct PromoteCall {
    std::string ns;
    int64_t now_ms = 0; ///< wall clock ms: jobs scored at or before it are due
    int batch = 0;      ///< at most this many ids per scheduled or retry set per call
};

/// EVALSHA argv of one promote call: KEYS `<ns>:queues`; ARGV ns, now ms, batch.
std::vector<std::string> promote_arguments(std::string_view script_sha, const PromoteCall& call);

/// What one promote call did.
struct PromoteResult {
    int64_t promoted = 0;  ///< ids moved to the tail of their `ready:<q>`
    bool more_due = false; ///< some set had more due than the batch: call again at once
    /// Earliest score (wall clock ms) left in any scheduled or retry set; nullopt when all are empty.
    std::optional<int64_t> earliest_due_ms;
};

/// Decodes the promote reply: {promoted count, 1 or 0 for more due, earliest score as whole
/// ms text or ""}. Returns false (and fills `error`) when the reply's shape or a value is wrong.
bool parse_promote_reply(const std::vector<ReplyValue>& values, PromoteResult& out, std::string& error);

}  // namespace onyx::protocol
