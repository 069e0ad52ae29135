// The watcher's scripts and unreserve: each call's argv from its typed struct, and each reply
// decoded by name, malformed replies refused with a message. No Redis.
#include "protocol/promote_call.hpp"
#include "protocol/recover_call.hpp"
#include "protocol/script_reply.hpp"
#include "protocol/trim_call.hpp"
#include "protocol/unreserve_call.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

namespace onyx::protocol {
namespace {

using Argv = std::vector<std::string>;

// Reply values from texts; nullptr stands for nil.
std::vector<ReplyValue> values(std::initializer_list<const char*> texts) {
    std::vector<ReplyValue> out;
    for (const char* text : texts) out.push_back(text != nullptr ? ReplyValue(text) : std::nullopt);
    return out;
}

TEST(ReplyInteger, WholeDecimalNumbersOnly) {
    EXPECT_EQ(reply_integer(std::string("0")), 0);
    EXPECT_EQ(reply_integer(std::string("-12")), -12);
    EXPECT_EQ(reply_integer(std::string("9223372036854775807")), INT64_MAX);
    for (const char* bad : {"", " 1", "1 ", "+1", "1.5", "1e3", "abc", "9223372036854775808"})
        EXPECT_FALSE(reply_integer(std::string(bad))) << bad;
    EXPECT_FALSE(reply_integer(std::nullopt));
}

TEST(PromoteArguments, TheQueuesKeyThenNsNowAndBatch) {
    EXPECT_EQ(promote_arguments("sha", {"ns", 1700000000123, 1000}),
              (Argv{"EVALSHA", "sha", "1", "ns:queues", "ns", "1700000000123", "1000"}));
}

TEST(PromoteReply, DecodesCountMoreAndEarliestDue) {
    PromoteResult result;
    std::string error;
    ASSERT_TRUE(parse_promote_reply(values({"3", "1", "1700000000500"}), result, error)) << error;
    EXPECT_EQ(result.promoted, 3);
    EXPECT_TRUE(result.more_due);
    EXPECT_EQ(result.earliest_due_ms, 1700000000500);
    ASSERT_TRUE(parse_promote_reply(values({"0", "0", "-5"}), result, error)) << error;
    EXPECT_FALSE(result.more_due);
    EXPECT_EQ(result.earliest_due_ms, -5) << "a score set by hand may be negative";
}

TEST(PromoteReply, EmptyTextMeansNothingScheduled) {
    PromoteResult result;
    result.earliest_due_ms = 7;
    std::string error;
    ASSERT_TRUE(parse_promote_reply(values({"0", "0", ""}), result, error)) << error;
    EXPECT_EQ(result.promoted, 0);
    EXPECT_FALSE(result.earliest_due_ms);
}

TEST(PromoteReply, RejectsMalformedReplies) {
    auto rejects = [](std::vector<ReplyValue> reply, const char* says) {
        PromoteResult result;
        std::string error;
        const bool refused = !parse_promote_reply(reply, result, error);
        EXPECT_NE(error.find(says), std::string::npos) << error;
        return refused;
    };
    EXPECT_TRUE(rejects({}, "promote reply has 0 values, not 3"));
    EXPECT_TRUE(rejects(values({"1", "0"}), "has 2 values"));
    EXPECT_TRUE(rejects(values({"1", "0", "", "x"}), "has 4 values"));
    EXPECT_TRUE(rejects(values({"many", "0", ""}), "value 1 is 'many', not a count"));
    EXPECT_TRUE(rejects(values({"-1", "0", ""}), "value 1 is '-1'"));
    EXPECT_TRUE(rejects(values({"1", nullptr, ""}), "value 2 is nil"));
    EXPECT_TRUE(rejects(values({"1", "0", "1.7e12"}), "value 3 is '1.7e12', not a time"));
    EXPECT_TRUE(rejects(values({"1", "0", nullptr}), "value 3 is nil"));
}

TEST(RecoverArguments, MessageDefaultLimitThenQueueLimitsInOrder) {
    const RecoverCall call{"ns", 5000, 10, "lease expired", 25, {{"mail", 3}, {"b-queue", 0}}};
    EXPECT_EQ(recover_arguments("sha", call), (Argv{"EVALSHA", "sha", "3", "ns:workers", "ns:queues", "ns:class_retries",
                                                    "ns", "5000", "10", "lease expired", "25", "mail", "3",
                                                    "b-queue", "0"}));
    EXPECT_EQ(recover_arguments("sha", {"ns", 5000, 10, "", 25, {}}),
              (Argv{"EVALSHA", "sha", "3", "ns:workers", "ns:queues", "ns:class_retries", "ns", "5000", "10",
                    "", "25"}))
        << "no queue of its own: the default limit ends the argv";
}

TEST(RecoverReply, NamesEachOfTheFiveCounts) {
    RecoverResult result;
    std::string error;
    ASSERT_TRUE(parse_recover_reply(values({"2", "3", "4", "5", "1"}), result, error)) << error;
    EXPECT_EQ(result.workers, 2);
    EXPECT_EQ(result.attempts_counted, 3);
    EXPECT_EQ(result.reserved_returned, 4);
    EXPECT_EQ(result.attempts_uncounted, 5);
    EXPECT_EQ(result.jobs_dead, 1);
}

TEST(RecoverReply, RejectsMalformedReplies) {
    RecoverResult result;
    std::string error;
    EXPECT_FALSE(parse_recover_reply(values({"1", "2", "3", "4"}), result, error)) << "the four the old comment named";
    EXPECT_NE(error.find("recover reply has 4 values, not 5"), std::string::npos) << error;
    EXPECT_FALSE(parse_recover_reply(values({"1", "2", "3", "4", "5", "6"}), result, error));
    EXPECT_FALSE(parse_recover_reply(values({"1", "2", "three", "4", "5"}), result, error));
    EXPECT_NE(error.find("value 3 is 'three'"), std::string::npos) << error;
    EXPECT_FALSE(parse_recover_reply(values({"1", "2", "3", "4", nullptr}), result, error));
    EXPECT_NE(error.find("value 5 is nil"), std::string::npos) << error;
}

TEST(TrimArguments, DefaultPolicyThenEachQueueWithItsSixValues) {
    const RetentionPolicy defaults{86400000, 100000, 604800000, 100001, 2592000000, 100002};
    const TrimCall call{"ns", 9000, 1000, defaults, {{"mail", {1, 2, 3, 4, 5, 6}}}};
    EXPECT_EQ(trim_arguments("sha", call),
              (Argv{"EVALSHA", "sha", "1", "ns:queues", "ns", "9000", "1000", "86400000", "100000", "604800000",
                    "100001",
                    "2592000000", "100002", "mail", "1", "2", "3", "4", "5", "6"}));
    EXPECT_EQ(trim_arguments("sha", {"ns", 9000, 1000, {}, {}}).size(), 13u) << "no queue of its own";
}

TEST(TrimReply, DecodesRemovedAndMore) {
    TrimResult result;
    std::string error;
    ASSERT_TRUE(parse_trim_reply(values({"2000", "1"}), result, error)) << error;
    EXPECT_EQ(result.removed, 2000);
    EXPECT_TRUE(result.more);
    ASSERT_TRUE(parse_trim_reply(values({"0", "0"}), result, error)) << error;
    EXPECT_EQ(result.removed, 0);
    EXPECT_FALSE(result.more);
}

TEST(TrimReply, RejectsMalformedReplies) {
    TrimResult result;
    std::string error;
    EXPECT_FALSE(parse_trim_reply(values({"1"}), result, error));
    EXPECT_NE(error.find("trim reply has 1 values, not 2"), std::string::npos) << error;
    EXPECT_FALSE(parse_trim_reply(values({"1", "0", "0"}), result, error));
    EXPECT_FALSE(parse_trim_reply(values({"1", "yes"}), result, error));
    EXPECT_FALSE(parse_trim_reply(values({nullptr, "0"}), result, error));
}

TEST(UnreserveArguments, ReservedAndReadyKeysPerQueue) {
    EXPECT_EQ(unreserve_arguments("sha", {"ns", "wid", {"a", "mail-ü"}}),
              (Argv{"EVALSHA", "sha", "4", "ns:reserved:wid:a", "ns:ready:a", "ns:reserved:wid:mail-ü",
                    "ns:ready:mail-ü"}));
    EXPECT_EQ(unreserve_arguments("sha", {"ns", "wid", {}}), (Argv{"EVALSHA", "sha", "0"}));
}

TEST(UnreserveReply, OneCountElseAnError) {
    UnreserveResult result;
    std::string error;
    ASSERT_TRUE(parse_unreserve_reply(std::string("4"), result, error)) << error;
    EXPECT_EQ(result.returned, 4);
    EXPECT_FALSE(parse_unreserve_reply(std::nullopt, result, error));
    EXPECT_NE(error.find("unreserve reply value 1 is nil, not a count"), std::string::npos) << error;
    EXPECT_FALSE(parse_unreserve_reply(std::string("OK"), result, error));
    EXPECT_FALSE(parse_unreserve_reply(std::string(""), result, error));
}

TEST(ReplyValueText, LongTextIsCutInTheMessage) {
    EXPECT_EQ(describe_reply_value(std::nullopt), "nil");
    EXPECT_EQ(describe_reply_value(std::string("ab")), "'ab'");
    EXPECT_EQ(describe_reply_value(std::string(100, 'x')), "'" + std::string(40, 'x') + "...'");
}

}  // namespace
}  // namespace onyx::protocol
