// Pure encoding and decoding of the claim and finish scripts' arguments and replies
// (protocol/lua/*.lua). No I/O: the worker feeds replies in, unit tests feed values in.
#pragma once

#include "protocol/script_reply.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onyx::protocol {

/// One attempt the claim script created, with what it read of the job hash.
struct ClaimedJob {
    std::string queue;
    std::string job_id;
    std::string attempt_id;
    std::optional<std::string> job_class; ///< `cls`; nullopt when absent (see job_exists)
    bool job_exists = true;               ///< false when `<ns>:jobs:<id>` does not exist
    std::string args_json;                ///< `arg`; "{}" when absent or empty
    int64_t enqueued_at_ms = 0;           ///< `qat`; 0 when absent or not a number
    uint32_t failed_before = 0;           ///< `fal`: failed attempts before this one
    int64_t timeout_ms = 0;               ///< `tmo`: per-job timeout ms, 0 = not set
    std::optional<int> retry_limit;       ///< `rty`: per-job retry limit, when set
    int64_t started_at_ms = 0;            ///< `sta` written by the claim
    std::string read_error;               ///< why reading the job hash failed; "" = it was read
    std::string_view read_error_class;    ///< err for that failure: InvalidJob (not a hash) or JobReadFailed
};

/// How a finished attempt is recorded.
struct FinishedAttempt {
    std::string queue;
    std::string attempt_id;
    std::string job_id;
    int64_t finished_at_ms = 0;  ///< `fin`, wall clock ms
    double processing_ms = 0;    ///< `tim`, decimal ms
    std::string error_class;     ///< `err`; empty = completed
    std::string error_message;   ///< `msg`; at most 1 KiB
    std::optional<int64_t> retry_at_ms; ///< failures only: retry time (ms), nullopt = dead
};

/// Error classes written to `err` by the host itself (docs/protocol.md lists them).
namespace errors {
inline constexpr std::string_view kJobNotFound = "JobNotFound";          ///< no `jobs:<id>` hash
inline constexpr std::string_view kUnknownJobClass = "UnknownJobClass";  ///< no plugin has `cls`
inline constexpr std::string_view kInvalidArguments = "InvalidArguments"; ///< `arg` is not JSON
inline constexpr std::string_view kInvalidJob = "InvalidJob"; ///< the job hash has no `cls`
inline constexpr std::string_view kWorkerTimeout = "Worker Timeout";     ///< stale (original's text)
/// Stale, but not running at its worker's last beat: put back without counting (watcher).
inline constexpr std::string_view kWorkerLost = "Worker Lost";
inline constexpr std::string_view kShutdown = "Shutdown"; ///< handed back by a worker stopping
inline constexpr std::string_view kTimeout = "Timeout";   ///< ran past its timeout
inline constexpr std::string_view kClaimLost = "Claim Lost"; ///< its claim's reply never arrived, and the worker did not adopt it
inline constexpr std::string_view kJobReadFailed = "JobReadFailed"; ///< Redis answered the job hash read with an error (retried)
}  // namespace errors

/// EVALSHA argv of one claim call (protocol/lua/claim.lua): KEYS `<ns>:paused` and 4 per queue
/// (reserved, ready, latest, processing); ARGV ns, worker id, wrk, now, queues, attempt ids.
std::vector<std::string> claim_arguments(std::string_view script_sha, std::string_view ns,
                                         std::string_view worker_id, int64_t wrk, int64_t now_ms,
                                         const std::vector<std::string>& queues,
                                         const std::vector<std::string>& attempt_ids);

/// What one claim returned.
struct ClaimResult {
    std::vector<ClaimedJob> jobs;
    std::vector<bool> paused; ///< per queue of the claim: in `<ns>:paused`
};

/// Decodes the claim reply (the paused list, then per queue: its 1-based index, a count n and
/// n job ids). `queues` and `attempt_ids` are the lists passed to the claim: the n-th job got
/// the n-th attempt id. Fills queue, job id, attempt id and start time of each job; the job
/// hash's fields come later from apply_job_hash. Returns false (and fills `error`) when the
/// reply's shape is wrong.
bool parse_claim_reply(const std::vector<ReplyValue>& values, const std::vector<std::string>& queues,
                       const std::vector<std::string>& attempt_ids, int64_t now_ms, ClaimResult& out,
                       std::string& error);

/// A job's `fal` (failed attempts so far) as the worker, the CLI and every script read it
/// (protocol/lua/lib/failures.lua): decimal digits only, below 10^9; anything else (a sign, a
/// fraction, an exponent, `inf`, text written by hand) counts as 0. Pure.
uint32_t parse_failures(std::string_view text);

/// Fills what `job` needs of its job hash from an HGETALL reply given as alternating field
/// and value texts (views valid during the call). No fields = the hash does not exist
/// (job_exists = false). Unknown fields are ignored; bad numbers read as 0, and an `rty` that
/// is not a whole number as absent.
void apply_job_hash(ClaimedJob& job, const std::vector<std::string_view>& fields_and_values);

/// EVALSHA argv of one finish call for `attempts` (non-empty; protocol/lua/finish.lua): 6 KEYS
/// per distinct queue, then ns, the completed attempts grouped by queue, then each failure;
/// blocks name their queue by its 1-based index among those key groups.
std::vector<std::string> finish_arguments(std::string_view script_sha, std::string_view ns,
                                          const std::vector<FinishedAttempt>& attempts);

/// EVALSHA argv of one orphans call (protocol/lua/orphans.lua: 3 KEYS per queue): adopts up to `room`
/// of this worker's attempts not in `known_attempt_ids` (a negative room counts as 0) and hands
/// the rest back with err "Claim Lost" and `message`.
std::vector<std::string> orphans_arguments(std::string_view script_sha, std::string_view ns,
                                           std::string_view worker_id, int64_t now_ms, std::string_view message,
                                           int room, const std::vector<std::string>& queues,
                                           const std::vector<std::string>& known_attempt_ids);

/// What one orphans call did.
struct OrphansResult {
    std::vector<ClaimedJob> adopted; ///< queue, job id, attempt id and start time filled; read the job next
    int64_t handed_back = 0;         ///< attempts failed as "Claim Lost", their jobs queued again
};

/// Decodes the orphans reply (the hand-back count, then per adopted attempt: its 1-based queue
/// index into `queues`, attempt id, job id, `sta`). Returns false (and fills `error`) when the
/// reply's shape is wrong.
bool parse_orphans_reply(const std::vector<ReplyValue>& values, const std::vector<std::string>& queues,
                         OrphansResult& out, std::string& error);

/// EVALSHA argv of one hand-back call (protocol/lua/hand_back.lua): 4 KEYS per distinct queue of
/// `jobs`, then ns, now, err, message, count flag, and (queue index, attempt id, job id) per
/// job, last job first.
std::vector<std::string> hand_back_arguments(std::string_view script_sha, std::string_view ns, int64_t now_ms,
                                             std::string_view error_class, std::string_view message,
                                             bool count_as_failure, const std::vector<ClaimedJob>& jobs);

/// `tim` text: milliseconds with microsecond precision, e.g. "12.345".
std::string format_processing_ms(double ms);

}  // namespace onyx::protocol
