// The job and attempt hashes as the CLI reads them (docs/protocol.md), decoded from field
// maps by pure functions, plus the few reads that fetch them. Fields the original tools do
// not write (fal rty tmo lat ded, wid msg prv) are optional.
#pragma once

#include "cli/command_context.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onyx::cli {

/// Field name -> value of one hash.
using FieldMap = std::map<std::string, std::string>;

/// A decoded `<ns>:jobs:<id>` hash.
struct JobRecord {
    std::string id;
    std::string queue;                     ///< `que`
    std::string job_class;                 ///< `cls`
    std::string args = "{}";               ///< `arg` ("{}" when absent or empty)
    std::optional<int64_t> enqueued_ms;    ///< `qat`
    std::optional<int64_t> scheduled_ms;   ///< `pat`
    int64_t failed_attempts = 0;           ///< `fal`
    std::optional<int64_t> retry_limit;    ///< `rty`
    std::optional<int64_t> timeout_ms;     ///< `tmo`
    std::optional<std::string> latest_attempt; ///< `lat`
    std::optional<int64_t> dead_ms;        ///< `ded`
};

/// A decoded `<ns>:attempts:<aid>` hash.
struct AttemptRecord {
    std::string id;
    std::string job_id;                    ///< `job`
    std::string queue;                     ///< `que`
    std::optional<int64_t> started_ms;     ///< `sta`
    std::optional<int64_t> finished_ms;    ///< `fin`
    std::optional<double> processing_ms;   ///< `tim`
    std::string error_class;               ///< `err` ("" = no error)
    std::string message;                   ///< `msg`
    std::string wrk;                       ///< `wrk` Redis CLIENT ID of the worker connection
    std::string worker_id;                 ///< `wid`
    std::optional<std::string> previous;   ///< `prv`
};

/// Decodes a job hash; numbers that do not parse are absent.
JobRecord decode_job(const std::string& id, const FieldMap& fields);

/// Decodes an attempt hash; numbers that do not parse are absent.
AttemptRecord decode_attempt(const std::string& id, const FieldMap& fields);

/// "completed", "failed", "timed out" (err Worker Timeout), "handed back" (err Shutdown),
/// "put back" (err Worker Lost) or "running" (no fin, no err). Pure.
std::string attempt_outcome(const AttemptRecord& attempt);

/// The sentence for a job key that holds something other than a hash, from Redis's TYPE name:
/// "<key> is a string, not a job hash" ("zset" reads "sorted set"). Pure.
std::string not_a_job_hash_text(std::string_view key, std::string_view redis_type);

/// Thrown by read_job when `<ns>:jobs:<id>` exists but is not a hash (a producer wrote it with
/// SET, LPUSH, ...): there is no job hash, so it ends a command with kExitNotFound.
/// what() is not_a_job_hash_text().
class NotAJobHash : public CliError {
public:
    NotAJobHash(std::string_view key, std::string_view redis_type)
        : CliError(kExitNotFound, not_a_job_hash_text(key, redis_type)) {}
};

/// The class column of `failed` and `dead`: `job_class`, "-" when it is empty (hash gone or
/// without `cls`), "(not a hash)" for nullopt (the job key holds another type). Pure.
std::string class_column(const std::optional<std::string>& job_class);

/// The job hash, or nullopt when the key does not exist. Throws NotAJobHash when the key holds
/// another type, common::RedisError for any other failure.
std::optional<JobRecord> read_job(CommandContext& ctx, const std::string& id);

/// The attempt hashes of `ids` in one pipeline; ids whose hash is gone are skipped.
std::vector<AttemptRecord> read_attempts(CommandContext& ctx, const std::vector<std::string>& ids);

/// `cls` of each job id, in one pipeline: "" when the hash is gone or has no `cls`, nullopt
/// when the job key holds another type than a hash. Throws common::RedisError.
std::vector<std::optional<std::string>> read_job_classes(CommandContext& ctx, const std::vector<std::string>& ids);

}  // namespace onyx::cli
