// lua/hand_back.lua and lua/orphans.lua: attempts given back to the head of ready, once.
#include "script_test.hpp"

#include "protocol/attempt_records.hpp"

namespace onyx::test {
namespace {

using protocol::ClaimedJob;
using Strings = std::vector<std::string>;

ClaimedJob claimed(std::string queue, std::string attempt, std::string job) {
    ClaimedJob c;
    c.queue = std::move(queue);
    c.attempt_id = std::move(attempt);
    c.job_id = std::move(job);
    return c;
}

class HandBack : public ScriptTest {};

TEST_F(HandBack, PutsJobsAtTheHeadOfReadyInClaimOrderOnlyOnce) {
    redis().command({"SADD", "ns:processing:q", "a1", "a2"});
    redis().command({"HSET", "ns:jobs:j1", "que", "q"});
    redis().command({"HSET", "ns:jobs:j2", "que", "q"});
    redis().command({"RPUSH", "ns:ready:q", "j9"});
    const auto argv = protocol::hand_back_arguments(sha("hand_back"), "ns", 50, "Shutdown", "bye", false,
                                                    {claimed("q", "a1", "j1"), claimed("q", "a2", "j2")});
    EXPECT_EQ(run(argv).integer, 2);
    EXPECT_EQ(redis().strings({"LRANGE", "ns:ready:q", "0", "-1"}), (Strings{"j1", "j2", "j9"}));
    EXPECT_EQ(redis().hgetall("ns:attempts:a1"), (std::map<std::string, std::string>{{"err", "Shutdown"}, {"msg", "bye"}}));
    EXPECT_EQ(redis().get_string({"ZSCORE", "ns:failed:q", "a2"}), "50");
    EXPECT_FALSE(redis().optional_string({"HGET", "ns:jobs:j1", "fal"})) << "not counted";
    EXPECT_EQ(run(argv).integer, 0) << "a second run hands nothing back";
    EXPECT_EQ(redis().integer({"LLEN", "ns:ready:q"}), 3);
}

TEST_F(HandBack, ACountedHandBackAddsAFailure) {
    redis().command({"SADD", "ns:processing:q", "a1"});
    redis().command({"HSET", "ns:jobs:j1", "que", "q", "fal", "4"});
    run(protocol::hand_back_arguments(sha("hand_back"), "ns", 50, "JobReadFailed", "m", true, {claimed("q", "a1", "j1")}));
    EXPECT_EQ(redis().get_string({"HGET", "ns:jobs:j1", "fal"}), "5");
    EXPECT_EQ(redis().get_string({"HGET", "ns:stats:q", "failed"}), "1");
}

class Orphans : public ScriptTest {};

TEST_F(Orphans, AdoptsUpToRoomAndHandsTheRestBack) {
    redis().command({"SADD", "ns:processing:q", "held", "o1", "o2", "other"});
    for (const char* a : {"held", "o1", "o2"}) redis().command({"HSET", std::string("ns:attempts:") + a, "wid", "w", "job", "j", "sta", "9"});
    redis().command({"HSET", "ns:attempts:other", "wid", "x", "job", "j"});
    redis().command({"HSET", "ns:jobs:j", "que", "q"});
    auto reply = run(protocol::orphans_arguments(sha("orphans"), "ns", "w", 70, "lost", 1, {"q"}, {"held"}));
    const auto values = texts(reply);
    ASSERT_EQ(values.size(), 5u) << reply.describe();
    EXPECT_EQ(values[0], "1") << "one handed back";
    EXPECT_EQ(values[1], "1");
    EXPECT_EQ(values[3], "j");
    EXPECT_EQ(values[4], "9");
    const std::string handed = values[2] == "o1" ? "o2" : "o1";
    EXPECT_EQ(redis().get_string({"HGET", "ns:attempts:" + handed, "err"}), "Claim Lost");
    EXPECT_EQ(redis().strings({"LRANGE", "ns:ready:q", "0", "-1"}), Strings{"j"});
    EXPECT_EQ(redis().integer({"SISMEMBER", "ns:processing:q", "other"}), 1) << "another worker's attempt";
    EXPECT_EQ(redis().integer({"SISMEMBER", "ns:processing:q", "held"}), 1);
}

}  // namespace
}  // namespace onyx::test
