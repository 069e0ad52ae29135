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
/// Per claimed job it writes `attempts:<aid>` (sta job wrk que wid), adds the attempt to
/// `processing:<q>` (one SADD per queue) and returns 8 values: queue index (1-based), job id,
/// attempt id, and the job hash's cls, arg, qat, fal, tmo (nil when absent).
extern const Script kClaimScript;

/// Finish: records a batch of finished attempts. ARGV: ns, then 7 values per attempt: queue,
/// attempt id, job id, fin ms, tim ms (decimal), err class ("" when completed), message.
/// Only attempts still in `processing:<q>` are recorded (a watcher may have failed them as
/// stale meanwhile); each gets `fin tim` (+ `err msg`), leaves `processing:<q>` and enters
/// `completed:<q>` or `failed:<q>` scored by fin; `stats:<q>` counts `completed` and `failed`, and a
/// failure adds 1 to the job's `fal`. Returns the number of attempts recorded.
extern const Script kFinishScript;

/// Hand back: fails attempts that will not finish here and puts their jobs back at the head
/// of `ready:<q>`. ARGV: ns, now ms, err, message, count (1 = the attempt counts as a failed
/// attempt of the job: `fal` + 1 and `stats:<q>` failed + 1), then 3 values per attempt:
/// queue, attempt id, job id. Only attempts still in `processing:<q>` are touched, so running
/// it twice, or after a watcher, hands nothing back twice. Each gets `err` and `msg` (no `fin`,
/// as the original's stale attempts) and enters `failed:<q>` scored by now. Returns the count.
extern const Script kHandBackScript;

/// Promote: moves due jobs from `scheduled:<q>` to the tail of `ready:<q>` for every queue in
/// `<ns>:queues`, at most `batch` per queue per call. ARGV: ns, now ms, batch. Pushes only ids
/// its own ZREM removed, so any number of watchers promote each job once. Returns
/// {promoted count, 1 if some queue had more due than the batch else 0, earliest remaining
/// score as text or "" when every scheduled set is empty}.
extern const Script kPromoteScript;

/// Recover: for each worker whose lease in `<ns>:workers` ended before now (at most `batch`
/// workers per call), puts its reserved ids back at the head of their `ready:<q>`, fails its
/// attempts in `processing:<q>` with err "Worker Timeout" (no fin/tim, as the original; the
/// job's `fal` + 1 and `stats:<q>` failed + 1) and puts their jobs back at the head of
/// `ready:<q>`, then removes the worker from the registry. ARGV: ns, now ms, batch, message.
/// Returns {workers recovered, attempts failed, reserved ids returned}.
extern const Script kRecoverScript;

}  // namespace onyx::protocol
