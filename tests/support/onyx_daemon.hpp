// Helpers for tests that run the real onyx-background daemons against a RedisServer: the
// config file, the worker/watcher processes, key names, the worker registry, CPU time.
#pragma once

#include "support/process.hpp"
#include "support/redis_client.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onyx::test {

/// Milliseconds since the Unix epoch on the wall clock (system_clock), as the daemon stamps
/// its timestamps.
int64_t wall_ms();

/// The Redis key `<ns>:<kind>:<id>` the daemon uses, e.g. ns_key("t", "ready") is
/// "t:ready:default" and ns_key("t", "attempts", "") is the prefix "t:attempts:".
std::string ns_key(std::string_view ns, std::string_view kind, std::string_view id = "default");

/// Writes `<dir>/onyx.ini` with a [redis] section naming `server` (its url) and namespace
/// `ns`, followed by `lines` verbatim (more [redis] keys, then the other sections; each line
/// ends with '\n'). Returns the file's path, for `--config`. Throws std::runtime_error when
/// the file cannot be written.
std::string write_onyx_config(const TempDir& dir, const RedisServer& server, std::string_view ns,
                              std::string_view lines);

/// Starts `paths::onyx_bin <role> --config <config>` (role "worker" or "watcher") as a
/// Process; see Process for how it runs and ends.
Process start_onyx(std::string_view role, const std::string& config);

/// The instance id of the worker in `<ns>:workers` whose registry hash `<ns>:worker:<id>`
/// names `pid`, or nullopt when none does (yet). One EVAL, so a consistent view.
std::optional<std::string> worker_id_of(RedisClient& redis, std::string_view ns, pid_t pid);

/// Waits at most `deadline` until `worker` has registered in `<ns>:workers` and returns its
/// instance id (see worker_id_of). Throws WaitTimeout ("... worker pid P to register in
/// <ns>:workers") when it has not by then.
std::string wait_worker_registered(RedisClient& redis, std::string_view ns, const Process& worker,
                                   std::chrono::milliseconds deadline = std::chrono::seconds(10));

/// Waits at most `deadline` until the last heartbeat of worker `wid` listed every attempt of
/// `attempt_ids` in its `run` field (handlers running at that beat): a kill after that is
/// counted against those attempts ("Worker Timeout"), not put back uncounted ("Worker Lost").
/// Throws WaitTimeout when it has not by then.
void wait_beat_lists_running(RedisClient& redis, std::string_view ns, const std::string& wid,
                             const std::vector<std::string>& attempt_ids,
                             std::chrono::milliseconds deadline = std::chrono::seconds(10));

/// One attempt hash `<ns>:attempts:<id>` as tests read it; a field the hash lacks is "".
struct AttemptRecord {
    std::string id;   ///< the attempt id (the member of the set it was listed from)
    std::string job;  ///< `job`: the id of the job it ran
    std::string wid;  ///< `wid`: the instance id of the worker that ran it
    std::string err;  ///< `err`: why it failed; "" for a completed attempt
    std::string fin;  ///< `fin`: finish time, ms since the epoch
    std::string tim;  ///< `tim`: processing time in ms, e.g. "12.345"

    /// True when the hash has a `fin` field.
    bool has_fin() const { return !fin.empty(); }
    /// True when the hash has a `tim` field.
    bool has_tim() const { return !tim.empty(); }
};

/// Every attempt whose id is a member of `set_key` (a set or a sorted set, in ZRANGE order;
/// none when the key is missing or of another type), read in one EVAL. With `only_wid`,
/// only the attempts of that worker instance.
std::vector<AttemptRecord> list_attempts(RedisClient& redis, std::string_view ns, const std::string& set_key,
                                       std::string_view only_wid = "");

/// The attempts of job `job_id`, oldest first, found by walking the job's entry in
/// `<ns>:latest:<que>` and then each attempt's `prv`: every hash `<ns>:attempts:<id>` with its fields plus "id" = its id.
/// Stops after 100 attempts (a cycle would otherwise never end). Empty when the job has none.
std::vector<std::map<std::string, std::string>> attempt_chain(RedisClient& redis, std::string_view ns,
                                                             const std::string& job_id);

/// CPU time (user + system, all threads) process `pid` has used so far, in seconds, from
/// utime and stime in /proc/<pid>/stat. Throws std::runtime_error when there is no such
/// stat file (or it cannot be parsed).
double cpu_seconds(pid_t pid);

}  // namespace onyx::test
