// Claims jobs for the worker: the claim script when there is work, BLMOVE to wake up when
// there is none. At no instant is a claimed job id only in this process's memory: BLMOVE moves
// it into the worker's reservation list, the claim script turns ids into attempts atomically.
// The job hashes are then read with one pipelined HGETALL each (cheaper for Redis than
// reading them inside the script).
#pragma once

#include "protocol/attempt_records.hpp"
#include "redis/async_connection.hpp"
#include "support/repeated_failure.hpp"
#include "worker/resume_watch.hpp"
#include "worker/slot_budget.hpp"

#include <uv.h>

#include <functional>
#include <string>
#include <vector>

namespace onyx::worker {

/// What the claimer needs to know. Durations in ms.
struct ClaimSettings {
    std::string ns;
    std::string worker_id;
    std::vector<std::string> queues; ///< priority order
    int64_t block_timeout_ms = 2000; ///< BLMOVE timeout; re-armed while idle
};

/// Loop thread only. Owns a uv timer (its ResumeWatch): call close() and wait for its callback
/// before destroying it.
class Claimer {
public:
    /// `bookkeeping` runs the claim script; `wake[i]` blocks on queues[i] (same size as
    /// queues). `slots` sizes every claim; the claimer counts in it the jobs it reads and the
    /// orphans room it holds. `on_claimed` receives every batch of new attempts (they leave
    /// slots' reading count just before). `loop` runs the resume watch's timer. The
    /// connections and `slots` must outlive the claimer.
    Claimer(uv_loop_t* loop, ClaimSettings settings, redis::AsyncConnection& bookkeeping,
            std::vector<redis::AsyncConnection*> wake, SlotBudget& slots,
            std::function<void(std::vector<protocol::ClaimedJob>)> on_claimed);

    /// Claims slots' claim_size() jobs now if that is above 0 and no claim is in flight; else
    /// does nothing (a claim in flight re-checks when it returns). Cheap: call whenever a slot
    /// frees or a link is up.
    void poke();

    /// Stops claiming and waking for good (shutdown) or until resume() (quiet): cancels the
    /// armed BLMOVEs with CLIENT UNBLOCK, waits for their replies, then moves anything they
    /// reserved back to the head of ready. `drained` runs once that is done: true when the
    /// reserved ids were given back, false when Redis could not be told (they then wait in the
    /// reservation lists for a watcher, once this worker's lease ends).
    void pause(std::function<void(bool gave_back)> drained);
    /// Claims again after pause().
    void resume() { paused_ = false; poke(); }
    /// True while paused.
    bool paused() const { return paused_; }

    /// Periodic safety net (the worker's heartbeat timer): claims again after an error and
    /// re-arms any BLMOVE that is not armed while idle.
    void tick();

    /// Called when wake connection `index` comes (back) up: re-arms its BLMOVE if idle.
    void wake_link_ready(size_t index);

    /// After a reconnect, before read_again() and any claim: runs the orphans script, which
    /// finds this worker's attempts that a claim made whose reply was lost. Up to slots'
    /// hold_orphan_room() of them are adopted: their jobs are read and passed to on_claimed
    /// like claimed ones; the rest are handed back with err "Claim Lost". `known` lists the
    /// attempt ids the worker holds outside the claimer (executor pool, unrecorded outcomes);
    /// the claimer adds its unread ones. Until the reply the room stays held, so no claim takes
    /// those slots. If the call fails, the attempts wait for the next reconnect. Does nothing
    /// when not connected.
    void adopt_orphans(std::vector<std::string> known);

    /// False from adopt_orphans() until its script replied (an error reply or a dropped link
    /// leaves it false until a later call succeeds): until then processing may hold attempts
    /// of this worker that no one here knows of, so the worker must not unregister (a watcher
    /// recovers only registered workers).
    bool orphans_settled() const { return orphans_settled_; }

    /// Reads again the job hashes a dropped link cut off. Call when the connection is back up,
    /// after adopt_orphans().
    void read_again();

    /// Closes the resume watch's timer; `done` runs once it is closed. Call at the very end,
    /// after pause() (nothing claims or wakes after this).
    void close(std::function<void()> done);

private:
    void claim(int count);
    void on_claim_failed(std::string_view problem, int requested);
    void read_jobs(std::vector<protocol::ClaimedJob> jobs, int requested);
    void on_orphans_reply(const redisReply* reply, std::string_view error);
    std::vector<std::string> unread_attempt_ids() const;
    void claimed(std::vector<protocol::ClaimedJob> jobs, int requested);
    void arm_wake();
    void arm_one(size_t index);
    void note_paused(const std::vector<bool>& paused);
    void set_queue_paused(size_t index, bool paused);
    void watch_for_resume();
    void on_resumed(const std::vector<size_t>& resumed);
    void drain_wakes();
    void finish_drain(bool gave_back);

    ClaimSettings settings_;
    redis::AsyncConnection& bookkeeping_;
    std::vector<redis::AsyncConnection*> wake_;
    std::vector<bool> armed_;
    std::vector<bool> unblocking_;   ///< per queue: a CLIENT UNBLOCK is in flight
    std::vector<bool> queue_paused_; ///< per queue, from the last claim (`<ns>:paused`)
    bool draining_ = false;          ///< pause() waits for armed BLMOVEs to return
    std::function<void(bool)> on_drained_;
    SlotBudget& slots_;
    std::function<void(std::vector<protocol::ClaimedJob>)> on_claimed_;
    bool claim_in_flight_ = false; ///< from the claim call until its reply; the next may follow
    std::vector<protocol::ClaimedJob> unread_; ///< reads cut by a dropped link, to send again (still reading)
    bool orphans_settled_ = true; ///< see orphans_settled(); a new worker id has no orphans
    bool idle_ = false;   ///< the last claim found every queue empty
    bool paused_ = false;
    support::RepeatedFailure claim_failure_{"claim"}; ///< logged at start, once a minute, at the end
    ResumeWatch resume_watch_; ///< runs while idle with a paused queue: nothing else would wake us
};

}  // namespace onyx::worker
