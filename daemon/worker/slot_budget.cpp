#include "worker/slot_budget.hpp"

#include <algorithm>
#include <cmath>

namespace onyx::worker {

int SlotBudget::free_below(int prefetch) const {
    if (!claiming_) return 0;
    return std::max(limits_.concurrency + prefetch - taken(), 0);
}

int SlotBudget::free_slots() const { return free_below(limits_.prefetch); }

int SlotBudget::hold_orphan_room() {
    const int room = free_slots();
    orphan_room_ += room;
    return room;
}

// An exponentially decaying count: each finish weighs exp(-age / window), so the count is
// about the finishes of the last window at a steady rate, and fades within a few windows
// once the worker stops finishing.
double SlotBudget::finishes_at(int64_t now_ms) const {
    const double age = static_cast<double>(std::max<int64_t>(now_ms - finishes_at_ms_, 0));
    return finishes_ * std::exp(-age / static_cast<double>(kFinishRateWindowMs));
}

void SlotBudget::note_finished(int attempts, int64_t now_ms) {
    if (attempts <= 0) return;
    now_ms = std::max(now_ms, finishes_at_ms_);
    finishes_ = finishes_at(now_ms) + attempts;
    finishes_at_ms_ = now_ms;
}

int SlotBudget::prefetch_now(int64_t now_ms) const {
    if (!limits_.adaptive) return limits_.prefetch;
    const double wanted = finishes_at(now_ms) * static_cast<double>(kPrefetchHorizonMs) /
                          static_cast<double>(kFinishRateWindowMs);
    return static_cast<int>(std::min(wanted, static_cast<double>(limits_.prefetch)));
}

// Under a backlog each claim costs Redis a fixed amount (script call, SADD, reply) on top of
// its per-job work, so while prefetched attempts still wait for an executor, claim only once
// half a batch is free. Claim at once when executors could run dry.
int SlotBudget::claim_size(int64_t now_ms) const {
    const int prefetch = prefetch_now(now_ms);
    const int free = free_below(prefetch);
    if (taken() > limits_.concurrency && free < std::min(limits_.claim_batch, prefetch) / 2) return 0;
    return std::min(free, limits_.claim_batch);
}

}  // namespace onyx::worker
