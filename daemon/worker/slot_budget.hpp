// How many more attempts the worker may take: the one place that counts what the worker holds
// against what [worker] concurrency, prefetch and claim_batch allow, and decides the size of
// the next claim. The worker, its claimer and the shutdown path report what happens to
// attempts; the claimer asks before every claim, BLMOVE and orphans call. Pure: no I/O, no
// clock. Loop thread only (not synchronised).
//
// Every attempt the worker knows of is in exactly one count until it leaves the process:
//   reading  claimed (or adopted), its job hash being read or waiting to be read again
//   held     past the read: queued in the executor pool, running (a timed-out run until its
//            thread returns), or being recorded without running
// and an orphans call in flight holds every slot that was free when it went out.
//
// Adaptive prefetch: how many attempts to hold beyond the executors follows how fast this
// worker finishes them: about what it finished in the last kPrefetchHorizonMs, at most
// `prefetch`. An idle worker, or one running long jobs, prefetches (almost) nothing, so its
// claims stay small (low latency, little stranded by a crash, no hoarding of slow jobs that
// other workers could run); a worker draining a backlog of short jobs grows to the bound in a
// few dozen claims, so each claim and its round trip carry many jobs.
#pragma once

#include <cstdint>

namespace onyx::worker {

/// The configured bounds; fixed for the worker's life.
struct SlotLimits {
    int concurrency = 10;   ///< executor threads: handlers that may run at once (>= 1)
    int prefetch = 1000;    ///< most attempts held beyond the executors, waiting in the pool's queue (>= 0)
    int claim_batch = 1000; ///< most jobs one claim call may take (>= 1)
    bool adaptive = true;   ///< true: prefetch follows the finish rate up to `prefetch`; false: always `prefetch`
};

/// The span of work an adaptive worker holds in advance, in ms of its recent finish rate.
inline constexpr int64_t kPrefetchHorizonMs = 100;
/// The time constant (ms) of the decaying finish count that measures that rate.
inline constexpr int64_t kFinishRateWindowMs = 500;

class SlotBudget {
public:
    explicit SlotBudget(SlotLimits limits) : limits_(limits) {}

    const SlotLimits& limits() const { return limits_; }

    /// Quiet or stopping: from now on free_slots(), claim_size() and hold_orphan_room() are 0.
    /// One way (the lifecycle never goes back). The counts go on being kept.
    void stop_claiming() { claiming_ = false; }

    /// `jobs` were claimed or adopted and their hashes are about to be read. Lost reads stay
    /// counted here until read again.
    void start_reading(int jobs) { reading_ += jobs; }
    /// `jobs` were read and go to the worker, which holds them or hands them back.
    void end_reading(int jobs) { reading_ -= jobs; }

    /// `attempts` entered the worker's hands (queued in the pool or recorded without running).
    void hold(int attempts) { held_ += attempts; }
    /// `attempts` left them: finished (their thread returned) or handed back unstarted.
    void release(int attempts) { held_ -= attempts; }

    /// `attempts` finished (ran, or were recorded without running) at `now_ms` (a monotonic
    /// clock, ms): feeds the finish rate that sizes an adaptive prefetch. Hand-backs are not
    /// finishes. Times earlier than an earlier call's count as that call's time.
    void note_finished(int attempts, int64_t now_ms);

    /// Attempts to hold beyond the executors at `now_ms`: with `adaptive`, the attempts this
    /// worker finished in about the last kPrefetchHorizonMs (a count decaying with
    /// kFinishRateWindowMs), at most `prefetch`; otherwise `prefetch`. 0..prefetch.
    int prefetch_now(int64_t now_ms) const;

    /// Holds every free slot for an orphans call and returns how many (>= 0), for the call's
    /// room. A claim lost with its reply took at most the free slots of its time, and no claim
    /// reply can fill slots while this room is held, so a claiming worker has room for every
    /// orphan; unlike claim_size() there is no wait for half a batch: these attempts exist
    /// already. Not claiming: 0, and the orphans are handed back.
    int hold_orphan_room();
    /// The orphans call replied (or failed): gives back the room hold_orphan_room() returned.
    void release_orphan_room(int room) { orphan_room_ -= room; }

    /// Attempts held past their read (see hold()).
    int held() const { return held_; }
    /// Jobs claimed or adopted whose hashes are being read or wait to be read again (the
    /// orphans room is not in it).
    int reading() const { return reading_; }

    /// Slots not taken under the configured bounds: concurrency + prefetch - held - reading -
    /// orphans room; 0 when not claiming or when more is taken than the limits allow. Never
    /// negative. The most any claim could have taken, so the orphans room uses it.
    int free_slots() const;

    /// How many jobs the next claim should ask for at `now_ms` (monotonic ms; 0 = do not claim,
    /// and do not arm a BLMOVE): concurrency + prefetch_now() minus what is taken, capped by
    /// claim_batch; but while prefetched attempts still wait for an executor, 0 until half a
    /// batch (of the smaller of claim_batch and prefetch_now()) is free. Never negative.
    int claim_size(int64_t now_ms) const;

private:
    int taken() const { return held_ + reading_ + orphan_room_; }
    int free_below(int prefetch) const;
    double finishes_at(int64_t now_ms) const;

    SlotLimits limits_;
    bool claiming_ = true;
    int held_ = 0;
    int reading_ = 0;
    int orphan_room_ = 0; ///< held for the orphans call in flight
    double finishes_ = 0;          ///< finishes counted at finishes_at_ms_, decaying with kFinishRateWindowMs
    int64_t finishes_at_ms_ = 0;
};

}  // namespace onyx::worker
