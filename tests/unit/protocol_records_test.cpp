// The pure protocol layer: claim/finish/hand-back/orphans argument encoding, claim and orphans
// reply decoding, client names, times, retry backoff. No Redis.
#include "protocol/attempt_records.hpp"
#include "protocol/client_name.hpp"
#include "protocol/retry_policy.hpp"
#include "protocol/time_text.hpp"

#include <gtest/gtest.h>

namespace onyx::protocol {
namespace {

TEST(ClaimReply, DecodesJobsPerQueueAndPausedQueues) {
    std::vector<ReplyValue> values = {std::string("2"), std::string("1"), std::string("2"), std::string("job-a"),
                                      std::string("job-c"), std::string("3"), std::string("1"), std::string("job-b")};
    ClaimResult result;
    std::string error;
    ASSERT_TRUE(parse_claim_reply(values, {"q1", "q2", "mail-ü"}, {"att-a", "att-c", "att-b", "att-unused"}, 42,
                                  result, error))
        << error;
    EXPECT_EQ(result.paused, (std::vector<bool>{false, true, false}));
    ASSERT_EQ(result.jobs.size(), 3u);
    EXPECT_EQ(result.jobs[0].queue, "q1");
    EXPECT_EQ(result.jobs[0].job_id, "job-a");
    EXPECT_EQ(result.jobs[0].attempt_id, "att-a");
    EXPECT_EQ(result.jobs[0].started_at_ms, 42);
    EXPECT_EQ(result.jobs[1].job_id, "job-c");
    EXPECT_EQ(result.jobs[1].attempt_id, "att-c");
    EXPECT_EQ(result.jobs[2].queue, "mail-ü");
    EXPECT_EQ(result.jobs[2].job_id, "job-b");
    EXPECT_EQ(result.jobs[2].attempt_id, "att-b") << "the n-th job gets the n-th attempt id";
}

TEST(ClaimReply, PausedListAloneMeansNothingClaimed) {
    ClaimResult result;
    std::string error;
    ASSERT_TRUE(parse_claim_reply({std::string("")}, {"q"}, {"a"}, 0, result, error)) << error;
    EXPECT_TRUE(result.jobs.empty());
    EXPECT_EQ(result.paused, (std::vector<bool>{false}));
}

TEST(ClaimReply, RejectsMalformedShapes) {
    ClaimResult result;
    std::string error;
    auto v = [](std::initializer_list<const char*> texts) {
        std::vector<ReplyValue> out;
        for (const char* t : texts) out.emplace_back(std::string(t));
        return out;
    };
    EXPECT_FALSE(parse_claim_reply({}, {"q"}, {"a"}, 0, result, error));
    EXPECT_NE(error.find("empty"), std::string::npos) << error;
    EXPECT_FALSE(parse_claim_reply(v({"", "1"}), {"q"}, {"a"}, 0, result, error)) << "block without a count";
    EXPECT_NE(error.find("malformed"), std::string::npos) << error;
    EXPECT_FALSE(parse_claim_reply(v({"", "7", "1", "j"}), {"q"}, {"a"}, 0, result, error)) << "no queue 7";
    EXPECT_FALSE(parse_claim_reply(v({"", "1", "3", "j", "k"}), {"q"}, {"a", "b", "c"}, 0, result, error))
        << "count beyond the values";
    EXPECT_FALSE(parse_claim_reply(v({"", "1", "0"}), {"q"}, {"a"}, 0, result, error)) << "empty block";
    result = {};
    EXPECT_FALSE(parse_claim_reply(v({"", "1", "2", "j", "k"}), {"q"}, {"a"}, 0, result, error))
        << "more jobs than attempt ids";
    result = {};
    std::vector<ReplyValue> nil_id = {std::string(""), std::string("1"), std::string("1"), std::nullopt};
    EXPECT_FALSE(parse_claim_reply(nil_id, {"q"}, {"a"}, 0, result, error));
    EXPECT_NE(error.find("nil"), std::string::npos) << error;
}

TEST(JobHash, FillsTheFieldsTheWorkerUses) {
    ClaimedJob job;
    apply_job_hash(job, {"que", "q1", "cls", "Jobs::Nap", "arg", "{\"sleep\":1}", "qat", "1700000000000", "fal", "2",
                         "tmo", "5000", "rty", "3", "pat", "1", "lat", "old-attempt"});
    EXPECT_TRUE(job.job_exists);
    EXPECT_EQ(job.job_class, "Jobs::Nap");
    EXPECT_EQ(job.args_json, "{\"sleep\":1}");
    EXPECT_EQ(job.enqueued_at_ms, 1700000000000);
    EXPECT_EQ(job.failed_before, 2u);
    EXPECT_EQ(job.timeout_ms, 5000);
    EXPECT_EQ(job.retry_limit, 3);
}

TEST(JobHash, NoFieldsMeansNoHashAndAbsentFieldsKeepDefaults) {
    ClaimedJob missing;
    apply_job_hash(missing, {});
    EXPECT_FALSE(missing.job_exists);
    EXPECT_FALSE(missing.job_class.has_value()) << "a missing job hash must read as no class";
    EXPECT_EQ(missing.args_json, "{}");

    ClaimedJob bare;
    apply_job_hash(bare, {"que", "q", "arg", "", "fal", "not a number"});
    EXPECT_TRUE(bare.job_exists) << "a hash without cls exists: it is a different error";
    EXPECT_FALSE(bare.job_class.has_value());
    EXPECT_EQ(bare.args_json, "{}") << "empty arg reads as {}";
    EXPECT_EQ(bare.failed_before, 0u);
    EXPECT_FALSE(bare.retry_limit.has_value());

    ClaimedJob odd;
    apply_job_hash(odd, {"cls", "C", "rty", "abc"});
    EXPECT_FALSE(odd.retry_limit.has_value()) << "an rty that is not a number leaves the queue's limit";
    apply_job_hash(odd, {"cls", "C", "rty", "3x"});
    EXPECT_FALSE(odd.retry_limit.has_value());
}

TEST(ClaimArguments, KeysPausedThenFourPerQueueThenQueuesAndAttemptIds) {
    auto argv = claim_arguments("sha", "ns", "wid", 17, 99, {"a", "b"}, {"x", "y", "z"});
    EXPECT_EQ(argv, (std::vector<std::string>{"EVALSHA", "sha", "9", "ns:paused",                               //
                                              "ns:reserved:wid:a", "ns:ready:a", "ns:latest:a", "ns:processing:a",  //
                                              "ns:reserved:wid:b", "ns:ready:b", "ns:latest:b", "ns:processing:b",  //
                                              "ns", "wid", "17", "99", "a", "b", "x", "y", "z"}));
}

TEST(FinishArguments, CompletedGroupedByQueueThenEachFailure) {
    FinishedAttempt ok1{"q", "a1", "j1", 1000, 1.5, "", "", std::nullopt};
    FinishedAttempt retry{"q", "a2", "j2", 2000, 0.0004, "std::runtime_error", "boom", 17000};
    FinishedAttempt ok2{"mail", "a3", "j3", 3000, 12.3456, "", "", std::nullopt};
    FinishedAttempt ok3{"q", "a4", "j4", 4000, 2.0, "", "", std::nullopt};
    FinishedAttempt dead{"q", "a5", "j5", 5000, 1.0, "E", "m", std::nullopt};
    auto argv = finish_arguments("sha", "ns", {ok1, retry, ok2, ok3, dead});
    EXPECT_EQ(argv, (std::vector<std::string>{
                        "EVALSHA", "sha", "12",                                                  //
                        "ns:processing:q", "ns:completed:q", "ns:failed:q", "ns:retry:q", "ns:dead:q", "ns:stats:q",
                        "ns:processing:mail", "ns:completed:mail", "ns:failed:mail", "ns:retry:mail", "ns:dead:mail",
                        "ns:stats:mail", "ns",                                                   //
                        "c", "1", "2", "a1", "1000", "1.500", "a4", "4000", "2.000",             //
                        "c", "2", "1", "a3", "3000", "12.346",                                   //
                        "f", "1", "a2", "j2", "2000", "0.000", "std::runtime_error", "boom", "17000",  //
                        "f", "1", "a5", "j5", "5000", "1.000", "E", "m", ""}));
}

TEST(FinishArguments, AQueueWithFailuresOnlyHasKeysButNoCompletedBlock) {
    FinishedAttempt ok{"q", "a1", "j1", 1000, 1.0, "", "", std::nullopt};
    FinishedAttempt failed{"other", "a2", "j2", 2000, 1.0, "E", "m", std::nullopt};
    auto argv = finish_arguments("sha", "ns", {failed, ok});
    EXPECT_EQ(argv[2], "12");
    EXPECT_EQ(argv[3], "ns:processing:other") << "queues in order of first appearance";
    EXPECT_EQ(std::vector<std::string>(argv.begin() + 15, argv.end()),
              (std::vector<std::string>{"ns", "c", "2", "1", "a1", "1000", "1.000",  //
                                        "f", "1", "a2", "j2", "2000", "1.000", "E", "m", ""}));
}

TEST(HandBackArguments, TriplesInReverseSoLpushKeepsTheOrder) {
    ClaimedJob first, second;
    first.queue = second.queue = "q";
    first.attempt_id = "a1";
    first.job_id = "j1";
    second.attempt_id = "a2";
    second.job_id = "j2";
    ClaimedJob third = first;
    third.queue = "r";
    third.attempt_id = "a3";
    auto argv = hand_back_arguments("sha", "ns", 5, "Shutdown", "msg", false, {first, second, third});
    EXPECT_EQ(argv, (std::vector<std::string>{"EVALSHA", "sha", "8",                                          //
                                              "ns:processing:q", "ns:failed:q", "ns:ready:q", "ns:stats:q",  //
                                              "ns:processing:r", "ns:failed:r", "ns:ready:r", "ns:stats:r",  //
                                              "ns", "5", "Shutdown", "msg", "0",                              //
                                              "2", "a3", "j1", "1", "a2", "j2", "1", "a1", "j1"}));
}

TEST(OrphansArguments, ThreeKeysPerQueueThenRoomThenKnownAttempts) {
    auto argv = orphans_arguments("sha", "ns", "wid", 7, "msg", 3, {"a", "b"}, {"held-1", "held-2"});
    EXPECT_EQ(argv, (std::vector<std::string>{"EVALSHA", "sha", "6", "ns:processing:a", "ns:failed:a", "ns:ready:a",
                                              "ns:processing:b", "ns:failed:b", "ns:ready:b", "ns", "wid", "7",
                                              "Claim Lost", "msg", "3", "held-1", "held-2"}));
    EXPECT_EQ(orphans_arguments("sha", "ns", "wid", 7, "msg", -2, {"a"}, {})[11], "0") << "no room below 0";
}

TEST(OrphansReply, DecodesTheHandedBackCountAndEachAdoptedAttempt) {
    OrphansResult result;
    std::string error;
    ASSERT_TRUE(parse_orphans_reply({std::string("1"), std::string("2"), std::string("att-1"), std::string("job-1"),
                                     std::string("1500"), std::string("1"), std::string("att-2"), std::string("job-2"),
                                     std::string("")},
                                    {"q1", "q2"}, result, error))
        << error;
    EXPECT_EQ(result.handed_back, 1);
    ASSERT_EQ(result.adopted.size(), 2u);
    EXPECT_EQ(result.adopted[0].queue, "q2");
    EXPECT_EQ(result.adopted[0].attempt_id, "att-1");
    EXPECT_EQ(result.adopted[0].job_id, "job-1");
    EXPECT_EQ(result.adopted[0].started_at_ms, 1500);
    EXPECT_EQ(result.adopted[1].queue, "q1");
    EXPECT_EQ(result.adopted[1].started_at_ms, 0) << "a missing sta reads as 0";
}

TEST(OrphansReply, RejectsMalformedShapes) {
    auto rejects = [](std::vector<ReplyValue> values) {
        OrphansResult result;
        std::string error;
        return !parse_orphans_reply(values, {"q"}, result, error) && !error.empty();
    };
    EXPECT_TRUE(rejects({}));
    EXPECT_TRUE(rejects({std::nullopt}));
    EXPECT_TRUE(rejects({std::string("0"), std::string("1"), std::string("att")}));
    EXPECT_TRUE(rejects({std::string("0"), std::string("2"), std::string("att"), std::string("job"), std::string("1")}));
    EXPECT_TRUE(rejects({std::string("0"), std::string("1"), std::nullopt, std::string("job"), std::string("1")}));
}

TEST(ClientName, EscapesWhatRedisRefuses) {
    EXPECT_EQ(escape_client_name("default"), "default");
    EXPECT_EQ(escape_client_name("mail-ü"), "mail-%C3%BC");
    EXPECT_EQ(escape_client_name("a b%"), "a%20b%25");
    EXPECT_EQ(worker_client_name({"mail:high", "café"}), "onyx-background-worker:mail:high,caf%C3%A9");
    EXPECT_EQ(fiber_client_name(42), "onyx-background-worker-fiber:42");
}

TEST(TimeText, ParsesIsoAndEpoch) {
    EXPECT_EQ(parse_time_ms("1700000000123"), 1700000000123);
    EXPECT_EQ(parse_time_ms("2026-12-01T10:00:00Z"), 1796119200000);
    EXPECT_EQ(parse_time_ms("2026-12-01T10:00:00.250Z"), 1796119200250);
    EXPECT_EQ(parse_time_ms("2026-12-01 12:00:00+02:00"), 1796119200000);
    EXPECT_EQ(parse_time_ms("1970-01-01T00:00:00Z"), 0);
    EXPECT_TRUE(parse_time_ms("2028-02-29T00:00:00Z").has_value()) << "a leap day";
    for (const char* bad : {"", "tomorrow", "2026-13-01T00:00:00Z", "2026-12-01T10:00:00", "2026-12-01T10:00Z",
                            "2026-12-01T10:00:00Zjunk", "12ab", "-5", "2026-02-30T00:00:00Z",
                            "2025-02-29T00:00:00Z"}) {
        EXPECT_FALSE(parse_time_ms(bad).has_value()) << bad;
    }
}

TEST(TimeText, FormatsIsoUtcWithMilliseconds) {
    EXPECT_EQ(format_time_ms(1796119200250), "2026-12-01T10:00:00.250Z");
    EXPECT_EQ(format_time_ms(0), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(parse_time_ms(format_time_ms(1234567890123)), 1234567890123);
}

TEST(RetryPolicy, ExponentialCappedWithJitterAndLimit) {
    RetryPolicy policy{3, 1000, 3000, 0.5};
    EXPECT_EQ(retry_delay_ms(policy, 1, 0.0), 1000);
    EXPECT_EQ(retry_delay_ms(policy, 2, 0.0), 2000);
    EXPECT_EQ(retry_delay_ms(policy, 3, 0.0), 3000) << "4000 is capped at 3000";
    EXPECT_EQ(retry_delay_ms(policy, 4, 0.0), std::nullopt) << "3 retries: the 4th failure is final";
    EXPECT_EQ(retry_delay_ms(policy, 1, 1.0), 500) << "jitter 0.5 shortens by up to half";
    EXPECT_EQ(retry_delay_ms(policy, 0, 0.0), std::nullopt);
    RetryPolicy none{0, 1000, 1000, 0};
    EXPECT_EQ(retry_delay_ms(none, 1, 0.0), std::nullopt);
    RetryPolicy many{1000, 15000, 3600000, 0};
    EXPECT_EQ(retry_delay_ms(many, 999, 0.0), 3600000) << "no overflow for large attempt numbers";
}

TEST(RetryPolicy, InvalidArgumentsIsPermanent) {
    EXPECT_TRUE(is_permanent_error("InvalidArguments"));
    EXPECT_TRUE(is_permanent_error("InvalidJob"));
    EXPECT_TRUE(is_permanent_error("JobNotFound"));
    EXPECT_FALSE(is_permanent_error("std::runtime_error"));
    EXPECT_FALSE(is_permanent_error("Timeout"));
}

TEST(ProtocolRecords, FailuresAreDigitsOnlyBelowABillionElseZero) {
    EXPECT_EQ(parse_failures("0"), 0u);
    EXPECT_EQ(parse_failures("7"), 7u);
    EXPECT_EQ(parse_failures("999999999"), 999999999u);
    for (const char* odd : {"", "x", "2.5", "1e400", "inf", "-3", "+3", " 3", "3 ", "1000000000", "99999999999999999999"})
        EXPECT_EQ(parse_failures(odd), 0u) << odd;
}

}  // namespace
}  // namespace onyx::protocol
