// The worker's slot arithmetic: free slots, the claim size with its wait for half a batch, the
// orphans room, what quiet or stopping does to them, and the adaptive prefetch. No Redis.
#include "worker/slot_budget.hpp"

#include <gtest/gtest.h>

namespace onyx::worker {
namespace {

constexpr int64_t kNow = 1'000'000;  // any monotonic time

// A fixed prefetch (adaptive off): the rules below hold for any prefetch, adaptive or not.
SlotBudget budget(int concurrency, int prefetch, int claim_batch) {
    return SlotBudget({concurrency, prefetch, claim_batch, false});
}

SlotBudget adaptive(int concurrency, int prefetch, int claim_batch) {
    return SlotBudget({concurrency, prefetch, claim_batch, true});
}

TEST(SlotBudget, AnIdleWorkerClaimsConcurrencyPlusPrefetch) {
    const SlotBudget slots = budget(10, 5, 100);
    EXPECT_EQ(slots.free_slots(), 15);
    EXPECT_EQ(slots.claim_size(kNow), 15);
}

TEST(SlotBudget, TheClaimIsCappedByClaimBatch) {
    const SlotBudget slots = budget(200, 50, 100);
    EXPECT_EQ(slots.free_slots(), 250);
    EXPECT_EQ(slots.claim_size(kNow), 100);
}

TEST(SlotBudget, ConcurrencyOneWithoutPrefetchTakesOneJobAtATime) {
    SlotBudget slots = budget(1, 0, 100);
    EXPECT_EQ(slots.claim_size(kNow), 1);
    slots.start_reading(1);
    EXPECT_EQ(slots.claim_size(kNow), 0);
    slots.end_reading(1);
    slots.hold(1);
    EXPECT_EQ(slots.claim_size(kNow), 0);
    slots.release(1);
    EXPECT_EQ(slots.claim_size(kNow), 1);
}

TEST(SlotBudget, HeldAndReadingBothTakeSlots) {
    SlotBudget slots = budget(10, 0, 100);
    slots.hold(3);
    slots.start_reading(4);
    EXPECT_EQ(slots.held(), 3);
    EXPECT_EQ(slots.reading(), 4);
    EXPECT_EQ(slots.free_slots(), 3);
    EXPECT_EQ(slots.claim_size(kNow), 3);
}

TEST(SlotBudget, AllSlotsBusyLeavesNothingToClaim) {
    SlotBudget slots = budget(4, 2, 100);
    slots.hold(6);
    EXPECT_EQ(slots.free_slots(), 0);
    EXPECT_EQ(slots.claim_size(kNow), 0);
    EXPECT_EQ(slots.hold_orphan_room(), 0);
}

TEST(SlotBudget, MoreTakenThanTheLimitsAllowGivesZeroNeverNegative) {
    // E.g. limits lowered under attempts already held, or a read again on top of new claims.
    SlotBudget slots = budget(2, 1, 100);
    slots.hold(5);
    slots.start_reading(2);
    EXPECT_EQ(slots.free_slots(), 0);
    EXPECT_EQ(slots.claim_size(kNow), 0);
    EXPECT_EQ(slots.hold_orphan_room(), 0);
    EXPECT_EQ(slots.free_slots(), 0);
}

TEST(SlotBudget, WithPrefetchWaitingTheNextClaimWaitsForHalfABatch) {
    // Executors all busy and prefetched attempts queued: min(claim_batch, prefetch) / 2 = 10.
    SlotBudget slots = budget(10, 20, 100);
    slots.hold(21);
    EXPECT_EQ(slots.free_slots(), 9);
    EXPECT_EQ(slots.claim_size(kNow), 0);
    slots.release(1);
    EXPECT_EQ(slots.claim_size(kNow), 10);
}

TEST(SlotBudget, HalfABatchIsOfTheSmallerOfClaimBatchAndPrefetch) {
    SlotBudget slots = budget(10, 20, 6);  // half of min(6, 20) = 3
    slots.hold(28);
    EXPECT_EQ(slots.claim_size(kNow), 0);
    slots.release(1);
    EXPECT_EQ(slots.claim_size(kNow), 3);
}

TEST(SlotBudget, WhenExecutorsCouldRunDryTheClaimGoesAtOnce) {
    // Taken up to concurrency: no wait, even for a single free slot.
    SlotBudget slots = budget(10, 20, 100);
    slots.hold(10);
    EXPECT_EQ(slots.claim_size(kNow), 20);
    slots.start_reading(19);  // one prefetched attempt could wait: now the wait applies
    EXPECT_EQ(slots.free_slots(), 1);
    EXPECT_EQ(slots.claim_size(kNow), 0);
}

TEST(SlotBudget, PrefetchZeroNeverWaitsForHalfABatch) {
    SlotBudget slots = budget(10, 0, 100);
    slots.hold(9);
    EXPECT_EQ(slots.claim_size(kNow), 1);
}

TEST(SlotBudget, TheOrphansRoomIsEveryFreeSlotWithoutTheHalfBatchWait) {
    SlotBudget slots = budget(10, 20, 100);
    slots.hold(21);
    EXPECT_EQ(slots.claim_size(kNow), 0);
    EXPECT_EQ(slots.hold_orphan_room(), 9);
}

TEST(SlotBudget, AHeldOrphansRoomTakesItsSlotsUntilReleased) {
    SlotBudget slots = budget(4, 0, 100);
    slots.hold(1);
    const int room = slots.hold_orphan_room();
    EXPECT_EQ(room, 3);
    EXPECT_EQ(slots.free_slots(), 0);
    EXPECT_EQ(slots.claim_size(kNow), 0);
    EXPECT_EQ(slots.reading(), 0);  // the room is not reading
    // Two orphans adopted: they are read while the room goes back.
    slots.release_orphan_room(room);
    slots.start_reading(2);
    EXPECT_EQ(slots.free_slots(), 1);
    EXPECT_EQ(slots.claim_size(kNow), 1);
}

TEST(SlotBudget, QuietOrStoppingClaimsNothingAndHoldsNoOrphansRoom) {
    SlotBudget slots = budget(10, 5, 100);
    slots.hold(2);
    slots.stop_claiming();
    EXPECT_EQ(slots.free_slots(), 0);
    EXPECT_EQ(slots.claim_size(kNow), 0);
    EXPECT_EQ(slots.hold_orphan_room(), 0);
    // The counts are still kept: a stopping worker waits for them to reach 0.
    EXPECT_EQ(slots.held(), 2);
    slots.release(2);
    EXPECT_EQ(slots.held(), 0);
    EXPECT_EQ(slots.claim_size(kNow), 0);
}

TEST(SlotBudget, LimitsAreKeptAsGiven) {
    const SlotBudget slots = budget(3, 7, 11);
    EXPECT_EQ(slots.limits().concurrency, 3);
    EXPECT_EQ(slots.limits().prefetch, 7);
    EXPECT_EQ(slots.limits().claim_batch, 11);
    EXPECT_FALSE(slots.limits().adaptive);
}

TEST(SlotBudget, AnAdaptiveWorkerThatFinishedNothingPrefetchesNothing) {
    const SlotBudget slots = adaptive(8, 1000, 1000);
    EXPECT_EQ(slots.prefetch_now(kNow), 0);
    EXPECT_EQ(slots.claim_size(kNow), 8);  // as small as prefetch 0: low latency when idle
    EXPECT_EQ(slots.free_slots(), 1008);   // the orphans room still counts the bound
}

TEST(SlotBudget, AdaptivePrefetchIsAboutTheFinishesOfTheLastHorizonUpToTheBound) {
    SlotBudget slots = adaptive(8, 1000, 1000);
    // 500 finishes just now: the count of a 500 ms window, of which 100 ms is 100.
    slots.note_finished(500, kNow);
    EXPECT_EQ(slots.prefetch_now(kNow), 500 * kPrefetchHorizonMs / kFinishRateWindowMs);
    EXPECT_EQ(slots.claim_size(kNow), 8 + 100);
    // A backlog of short jobs drains at thousands per window: the bound, and full batches.
    slots.note_finished(100'000, kNow);
    EXPECT_EQ(slots.prefetch_now(kNow), 1000);
    EXPECT_EQ(slots.claim_size(kNow), 1000);
}

TEST(SlotBudget, AdaptivePrefetchFadesOnceFinishesStop) {
    SlotBudget slots = adaptive(8, 1000, 1000);
    slots.note_finished(100'000, kNow);
    EXPECT_EQ(slots.prefetch_now(kNow + 500), 1000);   // 100,000 * e^-1 / 5 is still far above
    EXPECT_LT(slots.prefetch_now(kNow + 5000), 1000);  // 100,000 * e^-10 / 5 = 0.9
    EXPECT_EQ(slots.prefetch_now(kNow + 5000), 0);
    EXPECT_EQ(slots.claim_size(kNow + 5000), 8);
}

TEST(SlotBudget, LongJobsAreNotPrefetched) {
    // Concurrency 8, jobs of one second, started apart: one finish every 125 ms, for a minute.
    SlotBudget slots = adaptive(8, 1000, 1000);
    for (int i = 1; i <= 480; ++i) slots.note_finished(1, kNow + i * 125);
    EXPECT_EQ(slots.prefetch_now(kNow + 60'000), 0);  // 0.8 jobs' worth of 100 ms
    slots.hold(7);
    EXPECT_EQ(slots.claim_size(kNow + 60'000), 1);  // only the free executor: none hoarded
}

TEST(SlotBudget, AShrinkingPrefetchClaimsNothingUntilTheHeldOnesDrain) {
    SlotBudget slots = adaptive(8, 1000, 1000);
    slots.note_finished(100'000, kNow);
    slots.hold(8 + 1000);
    EXPECT_EQ(slots.claim_size(kNow + 3000), 0);  // the rate fell: hold less, claim nothing
    slots.release(8 + 1000);
    EXPECT_GT(slots.claim_size(kNow + 3000), 8);
}

TEST(SlotBudget, AFinishStampedEarlierThanTheLastCountsAsThatTime) {
    SlotBudget slots = adaptive(8, 1000, 1000);
    slots.note_finished(1000, kNow);
    slots.note_finished(1000, kNow - 10'000);  // a clock step back must not inflate the count
    EXPECT_EQ(slots.prefetch_now(kNow), 400);
}

TEST(SlotBudget, WithoutAdaptivePrefetchTheBoundIsAlwaysPrefetched) {
    const SlotBudget slots = budget(8, 300, 1000);
    EXPECT_EQ(slots.prefetch_now(kNow), 300);
    EXPECT_EQ(slots.claim_size(kNow), 308);
}

TEST(SlotBudget, AdaptivePrefetchZeroStaysZero) {
    SlotBudget slots = adaptive(8, 0, 1000);
    slots.note_finished(100'000, kNow);
    EXPECT_EQ(slots.prefetch_now(kNow), 0);
    EXPECT_EQ(slots.claim_size(kNow), 8);
}

}  // namespace
}  // namespace onyx::worker
