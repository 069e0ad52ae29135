// lua/claim.lua: ids become attempts, reserved before ready, paused queues skipped, refused
// whole over maxmemory.
#include "script_test.hpp"

#include "protocol/attempt_records.hpp"

namespace onyx::test {
namespace {

using protocol::claim_arguments;
using Strings = std::vector<std::string>;

class Claim : public ScriptTest {};

TEST_F(Claim, TakesReservedBeforeReadyAndWritesLinkedAttempts) {
    redis().command({"RPUSH", "ns:ready:q", "j1", "j2"});
    redis().command({"RPUSH", "ns:reserved:w:q", "j0"});
    redis().command({"HSET", "ns:latest:q", "j1", "old"});
    auto reply = run(claim_arguments(sha("claim"), "ns", "w", 7, 100, {"q"}, {"a0", "a1"}));
    EXPECT_EQ(texts(reply), (Strings{"", "1", "2", "j0", "j1"}));
    EXPECT_EQ(redis().strings({"LRANGE", "ns:ready:q", "0", "-1"}), Strings{"j2"});
    EXPECT_EQ(redis().hgetall("ns:attempts:a1"),
              (std::map<std::string, std::string>{{"sta", "100"}, {"job", "j1"}, {"wrk", "7"}, {"que", "q"},
                                                  {"wid", "w"}, {"prv", "old"}}));
    EXPECT_EQ(redis().hgetall("ns:latest:q"), (std::map<std::string, std::string>{{"j0", "a0"}, {"j1", "a1"}}));
    EXPECT_EQ(redis().integer({"SCARD", "ns:processing:q"}), 2);
}

TEST_F(Claim, SkipsAPausedQueueAndGivesItsReservedIdsBack) {
    redis().command({"SADD", "ns:paused", "p"});
    redis().command({"RPUSH", "ns:ready:p", "j2"});
    redis().command({"RPUSH", "ns:reserved:w:p", "j1"});
    redis().command({"RPUSH", "ns:ready:q", "j3"});
    auto reply = run(claim_arguments(sha("claim"), "ns", "w", 7, 100, {"p", "q"}, {"a1", "a2"}));
    EXPECT_EQ(texts(reply), (Strings{"1", "2", "1", "j3"}));
    EXPECT_EQ(redis().strings({"LRANGE", "ns:ready:p", "0", "-1"}), (Strings{"j1", "j2"}));
    EXPECT_EQ(redis().integer({"EXISTS", "ns:reserved:w:p"}), 0);
}

TEST_F(Claim, OverMaxmemoryIsRefusedWholeBeforeItRuns) {
    redis().command({"RPUSH", "ns:ready:q", "j1"});
    redis().command({"CONFIG", "SET", "maxmemory", "1"});
    auto reply = run(claim_arguments(sha("claim"), "ns", "w", 7, 100, {"q"}, {"a1"}));
    redis().command({"CONFIG", "SET", "maxmemory", "0"});
    ASSERT_TRUE(reply.is_error()) << reply.describe();
    EXPECT_NE(reply.str.find("OOM"), std::string::npos) << reply.str;
    EXPECT_EQ(redis().strings({"LRANGE", "ns:ready:q", "0", "-1"}), Strings{"j1"}) << "the LPOP must not have run";
    EXPECT_EQ(redis().integer({"EXISTS", "ns:attempts:a1"}), 0);
}

}  // namespace
}  // namespace onyx::test
