// The Lua scripts of the worker and watcher. Each moves only what it removed, in one atomic
// step, so a crash at any instant leaves every job id somewhere a watcher can find it.
// Exact effects are documented in docs/protocol.md ("Claim", "Finish").
#pragma once

#include <string_view>

namespace onyx::protocol {

/// A script's name (for logs) and Lua source. Loaded with SCRIPT LOAD on every new
/// connection and run with EVALSHA.
struct Script {
    std::string_view name;
    std::string_view source;
};

/// Claim: turns up to K job ids into attempts, queues in the given priority order, for each
/// queue first the worker's `reserved:<wid>:<q>` list (ids a BLMOVE woke it with), then
/// `ready:<q>`. ARGV: ns, worker id, wrk, now ms, queue count, queues..., K attempt ids.
/// Per claimed job it writes `attempts:<aid>` (sta job wrk que wid, and `prv` = the job's
/// previous attempt when `latest:<q>` names one), then per queue one HSET of `latest:<q>`
/// (job id -> this attempt) and one SADD of the attempts to `processing:<q>`. It does not read
/// the job hashes: the worker reads them with HGETALL after the reply (the attempts already
/// exist then, so a crash in between loses nothing). The n-th claimed job gets the n-th
/// attempt id. Returns a first value listing the 1-based indexes of the queues that are in
/// `<ns>:paused` (comma-separated, "" when none: those are skipped, and ids a BLMOVE reserved
/// from them go back to ready), then per queue that gave jobs: its index, the count n, and
/// the n job ids in claim order.
extern const Script kClaimScript;

/// Finish: records a batch of finished attempts. ARGV: ns, then blocks: completed attempts of
/// one queue as `c <q> <n>` + n x (attempt id, fin ms, tim ms), and each failed attempt as
/// `f <q> <attempt id> <job id> <fin> <tim> <err> <msg> <retry ms or "">`.
/// Only attempts still in `processing:<q>` are recorded (a watcher may have failed them as
/// stale meanwhile); each gets `fin tim` (+ `err msg`), leaves `processing:<q>` and enters
/// `completed:<q>` or `failed:<q>` scored by fin; `stats:<q>` counts `completed` and `failed`.
/// A failure adds 1 to the job's `fal` and puts the job into `retry:<q>` scored by its retry
/// time, or into `dead:<q>` (scored by fin; job `ded` = fin). Returns the attempts recorded.
extern const Script kFinishScript;

/// Hand back: fails attempts that will not finish here and puts their jobs back at the head
/// of `ready:<q>`. ARGV: ns, now ms, err, message, count (1 = the attempt counts as a failed
/// attempt of the job: `fal` + 1 and `stats:<q>` failed + 1), then 3 values per attempt:
/// queue, attempt id, job id. Only attempts still in `processing:<q>` are touched, so running
/// it twice, or after a watcher, hands nothing back twice. Each gets `err` and `msg` (no `fin`,
/// as the original's stale attempts) and enters `failed:<q>` scored by now. Returns the count.
extern const Script kHandBackScript;

/// Orphans: after a reconnect, finds this worker's attempts that it does not know of: the
/// attempts of a claim Redis ran but whose reply the worker never got (the connection dropped
/// or the command timed out). Without this they would stay in `processing:<q>` for as long as
/// the worker lives. ARGV: ns, worker id, now ms, err, message, room, queue count, queues...,
/// then the attempt ids the worker holds. Each other attempt in `processing:<q>` whose `wid` is
/// this worker is adopted, up to `room` of them: left as the claim wrote it and returned, for
/// the worker to read its job and run it. The rest (over `room`, or without a `job` field) are
/// handed back as kHandBackScript does (not counted as a failure of the job). Writes nothing
/// for an adopted attempt. Returns {handed back count, then per adopted attempt: 1-based
/// queue index, attempt id, job id, `sta`}.
extern const Script kOrphansScript;

/// Unreserve: moves every id of the worker's reservation lists back to the head of its
/// `ready:<q>`, in order. Used when the worker stops claiming (quiet, shutdown) after its
/// wake-up BLMOVEs were cancelled with CLIENT UNBLOCK. ARGV: ns, worker id, queues...
/// Returns the ids moved.
extern const Script kUnreserveScript;

/// Heartbeat: renews a worker's lease (`ZADD <ns>:workers <lease end> <wid>`), writes its
/// description (`HSET <ns>:worker:<wid> field value ...`) and keeps that hash for `keep` ms.
/// ARGV: ns, worker id, lease end ms, keep ms, then field/value pairs. May run over maxmemory:
/// a live worker must not look dead because Redis is full.
extern const Script kHeartbeatScript;

/// Promote: moves due jobs from `scheduled:<q>` and `retry:<q>` to the tail of `ready:<q>` for every queue in
/// `<ns>:queues`, at most `batch` per queue per call. ARGV: ns, now ms, batch. Pushes only ids
/// its own ZREM removed, so any number of watchers promote each job once. Returns
/// {promoted count, 1 if some queue had more due than the batch else 0, earliest remaining
/// score as text or "" when every scheduled set is empty}. A key of the wrong type skips its
/// queue instead of failing the whole call.
extern const Script kPromoteScript;

/// Lua text defining `forget_attempt(ns, latest_key, attempt id, completed)` and
/// `forget_dead_job(ns, latest_key, job id)`: what removing a record takes with it (the rules
/// are in kTrimScript's comment). Shared by kTrimScript and the CLI's purge so both remove the
/// same things; paste it before the code that calls them.
extern const std::string_view kForgetRecordsLua;

/// Trim (retention): for every queue in `<ns>:queues`, removes the oldest members of
/// `completed:<q>`, `failed:<q>` (attempt ids) and `dead:<q>` (job ids) that are older than the
/// queue's age limit or beyond its count limit, at most `batch` per set per call, and deletes
/// their hashes: the attempt hash, and the job hash (with its `latest:<q>` entry) when the
/// removed completed attempt is the job's latest (`latest:<q>`, or the job hash's `lat` field
/// that earlier versions wrote) or the job was dead; a failed attempt that is the latest of a job
/// whose hash is gone takes its `latest:<q>` entry with it. `stats:<q>` counters are kept.
/// ARGV: ns, now ms, batch, default policy (6 values: completed ttl ms, completed max, failed
/// ttl, failed max, dead ttl, dead max), then per queue with its own policy: name + 6 values.
/// Returns {removed, 1 if some set hit the batch else 0}.
extern const Script kTrimScript;

/// Recover: for each worker whose lease in `<ns>:workers` ended before now (at most `batch`
/// workers per call), puts its reserved ids back at the head of their `ready:<q>` and fails its
/// attempts in `processing:<q>` (no fin/tim, as the original's stale attempts). An attempt
/// its worker's last beat listed in `run` (or every attempt, when that hash is gone or has no
/// `run`) is counted: err "Worker Timeout", `stats:<q>` failed + 1, the job's `fal` + 1, and
/// the job goes back to the head of `ready:<q>` or, past its limit (`rty`, else its class's
/// in `<ns>:class_retries`, else the queue's, else the default), to `dead:<q>`. Any other
/// attempt was not running at that beat: err "Worker Lost", not counted, the job's `unc` = 1
/// and back to the head of `ready:<q>`; when the job's `unc` is already 1 it is counted
/// instead. Then removes the workers from the registry.
/// ARGV: ns, now ms, batch, message, default retry limit, then (queue, limit) pairs.
/// Returns {workers recovered, attempts counted, reserved ids returned, attempts not counted,
/// jobs dead} (protocol/recover_call.hpp decodes it).
extern const Script kRecoverScript;

}  // namespace onyx::protocol
