// The worker's slot arithmetic: free slots, the claim size with its wait for half a batch, the
// orphans room, and what quiet or stopping does to them. No Redis.
#include "worker/slot_budget.hpp"

#include <gtest/gtest.h>

namespace onyx::worker {
namespace {

SlotBudget budget(int concurrency, int prefetch, int claim_batch) {
    return SlotBudget({concurrency, prefetch, claim_batch});
}

TEST(SlotBudget, AnIdleWorkerClaimsConcurrencyPlusPrefetch) {
    const SlotBudget slots = budget(10, 5, 100);
    EXPECT_EQ(slots.free_slots(), 15);
    EXPECT_EQ(slots.claim_size(), 15);
}

TEST(SlotBudget, TheClaimIsCappedByClaimBatch) {
    const SlotBudget slots = budget(200, 50, 100);
    EXPECT_EQ(slots.free_slots(), 250);
    EXPECT_EQ(slots.claim_size(), 100);
}

TEST(SlotBudget, ConcurrencyOneWithoutPrefetchTakesOneJobAtATime) {
    SlotBudget slots = budget(1, 0, 100);
    EXPECT_EQ(slots.claim_size(), 1);
    slots.start_reading(1);
    EXPECT_EQ(slots.claim_size(), 0);
    slots.end_reading(1);
    slots.hold(1);
    EXPECT_EQ(slots.claim_size(), 0);
    slots.release(1);
    EXPECT_EQ(slots.claim_size(), 1);
}

TEST(SlotBudget, HeldAndReadingBothTakeSlots) {
    SlotBudget slots = budget(10, 0, 100);
    slots.hold(3);
    slots.start_reading(4);
    EXPECT_EQ(slots.held(), 3);
    EXPECT_EQ(slots.reading(), 4);
    EXPECT_EQ(slots.free_slots(), 3);
    EXPECT_EQ(slots.claim_size(), 3);
}

TEST(SlotBudget, AllSlotsBusyLeavesNothingToClaim) {
    SlotBudget slots = budget(4, 2, 100);
    slots.hold(6);
    EXPECT_EQ(slots.free_slots(), 0);
    EXPECT_EQ(slots.claim_size(), 0);
    EXPECT_EQ(slots.hold_orphan_room(), 0);
}

TEST(SlotBudget, MoreTakenThanTheLimitsAllowGivesZeroNeverNegative) {
    // E.g. limits lowered under attempts already held, or a read again on top of new claims.
    SlotBudget slots = budget(2, 1, 100);
    slots.hold(5);
    slots.start_reading(2);
    EXPECT_EQ(slots.free_slots(), 0);
    EXPECT_EQ(slots.claim_size(), 0);
    EXPECT_EQ(slots.hold_orphan_room(), 0);
    EXPECT_EQ(slots.free_slots(), 0);
}

TEST(SlotBudget, WithPrefetchWaitingTheNextClaimWaitsForHalfABatch) {
    // Executors all busy and prefetched attempts queued: min(claim_batch, prefetch) / 2 = 10.
    SlotBudget slots = budget(10, 20, 100);
    slots.hold(21);
    EXPECT_EQ(slots.free_slots(), 9);
    EXPECT_EQ(slots.claim_size(), 0);
    slots.release(1);
    EXPECT_EQ(slots.claim_size(), 10);
}

TEST(SlotBudget, HalfABatchIsOfTheSmallerOfClaimBatchAndPrefetch) {
    SlotBudget slots = budget(10, 20, 6);  // half of min(6, 20) = 3
    slots.hold(28);
    EXPECT_EQ(slots.claim_size(), 0);
    slots.release(1);
    EXPECT_EQ(slots.claim_size(), 3);
}

TEST(SlotBudget, WhenExecutorsCouldRunDryTheClaimGoesAtOnce) {
    // Taken up to concurrency: no wait, even for a single free slot.
    SlotBudget slots = budget(10, 20, 100);
    slots.hold(10);
    EXPECT_EQ(slots.claim_size(), 20);
    slots.start_reading(19);  // one prefetched attempt could wait: now the wait applies
    EXPECT_EQ(slots.free_slots(), 1);
    EXPECT_EQ(slots.claim_size(), 0);
}

TEST(SlotBudget, PrefetchZeroNeverWaitsForHalfABatch) {
    SlotBudget slots = budget(10, 0, 100);
    slots.hold(9);
    EXPECT_EQ(slots.claim_size(), 1);
}

TEST(SlotBudget, TheOrphansRoomIsEveryFreeSlotWithoutTheHalfBatchWait) {
    SlotBudget slots = budget(10, 20, 100);
    slots.hold(21);
    EXPECT_EQ(slots.claim_size(), 0);
    EXPECT_EQ(slots.hold_orphan_room(), 9);
}

TEST(SlotBudget, AHeldOrphansRoomTakesItsSlotsUntilReleased) {
    SlotBudget slots = budget(4, 0, 100);
    slots.hold(1);
    const int room = slots.hold_orphan_room();
    EXPECT_EQ(room, 3);
    EXPECT_EQ(slots.free_slots(), 0);
    EXPECT_EQ(slots.claim_size(), 0);
    EXPECT_EQ(slots.reading(), 0);  // the room is not reading
    // Two orphans adopted: they are read while the room goes back.
    slots.release_orphan_room(room);
    slots.start_reading(2);
    EXPECT_EQ(slots.free_slots(), 1);
    EXPECT_EQ(slots.claim_size(), 1);
}

TEST(SlotBudget, QuietOrStoppingClaimsNothingAndHoldsNoOrphansRoom) {
    SlotBudget slots = budget(10, 5, 100);
    slots.hold(2);
    slots.stop_claiming();
    EXPECT_EQ(slots.free_slots(), 0);
    EXPECT_EQ(slots.claim_size(), 0);
    EXPECT_EQ(slots.hold_orphan_room(), 0);
    // The counts are still kept: a stopping worker waits for them to reach 0.
    EXPECT_EQ(slots.held(), 2);
    slots.release(2);
    EXPECT_EQ(slots.held(), 0);
    EXPECT_EQ(slots.claim_size(), 0);
}

TEST(SlotBudget, LimitsAreKeptAsGiven) {
    const SlotBudget slots = budget(3, 7, 11);
    EXPECT_EQ(slots.limits().concurrency, 3);
    EXPECT_EQ(slots.limits().prefetch, 7);
    EXPECT_EQ(slots.limits().claim_batch, 11);
}

}  // namespace
}  // namespace onyx::worker
