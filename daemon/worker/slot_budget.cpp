#include "worker/slot_budget.hpp"

#include <algorithm>

namespace onyx::worker {

int SlotBudget::free_slots() const {
    if (!claiming_) return 0;
    return std::max(limits_.concurrency + limits_.prefetch - taken(), 0);
}

int SlotBudget::hold_orphan_room() {
    const int room = free_slots();
    orphan_room_ += room;
    return room;
}

// Under a backlog each claim costs Redis a fixed amount (script call, SADD, reply) on top of
// its per-job work, so while prefetched attempts still wait for an executor, claim only once
// half a batch is free. Claim at once when executors could run dry.
bool SlotBudget::waits_for_half_batch() const {
    return taken() > limits_.concurrency && free_slots() < std::min(limits_.claim_batch, limits_.prefetch) / 2;
}

int SlotBudget::claim_size() const {
    if (waits_for_half_batch()) return 0;
    return std::min(free_slots(), limits_.claim_batch);
}

}  // namespace onyx::worker
