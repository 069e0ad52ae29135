// A repeating failure is logged when it starts, at most once a minute while it lasts, and when
// it ends. No clock: times are passed in.
#include "support/repeated_failure.hpp"

#include <gtest/gtest.h>

namespace onyx::support {
namespace {

TEST(RepeatedFailure, StartsOnceRemindsOnceAMinuteAndEndsOnce) {
    RepeatedFailure promotion("promotion");
    EXPECT_EQ(promotion.succeeded(0), std::nullopt);  // nothing failed: nothing to say
    EXPECT_EQ(promotion.failed("OOM command not allowed", 1'000), "promotion failed: OOM command not allowed");
    EXPECT_TRUE(promotion.failing());
    for (int64_t t = 2'000; t < 61'000; t += 1'000) EXPECT_EQ(promotion.failed("OOM", t), std::nullopt) << t;
    EXPECT_EQ(promotion.failed("OOM", 61'000), "promotion still failing (60 failures in the last 60 s): OOM");
    EXPECT_EQ(promotion.failed("OOM", 62'000), std::nullopt);
    EXPECT_EQ(promotion.succeeded(65'500), "promotion works again after 62 failures over 64 s");
    EXPECT_FALSE(promotion.failing());
    EXPECT_EQ(promotion.succeeded(66'000), std::nullopt);
    // A new failure starts a new episode with its own first line.
    EXPECT_EQ(promotion.failed("READONLY", 70'000), "promotion failed: READONLY");
}

TEST(RepeatedFailure, TheReminderPeriodIsTheCallers) {
    RepeatedFailure beat("heartbeat", 2'000);
    EXPECT_NE(beat.failed("x", 0), std::nullopt);
    EXPECT_EQ(beat.failed("x", 1'999), std::nullopt);
    EXPECT_EQ(beat.failed("x", 2'000), "heartbeat still failing (2 failures in the last 2 s): x");
}

}  // namespace
}  // namespace onyx::support
