// lua/heartbeat.lua and lua/unreserve.lua: the lease, even over maxmemory, and reserved ids
// given back in order.
#include "script_test.hpp"

#include "protocol/unreserve_call.hpp"

namespace onyx::test {
namespace {

using Strings = std::vector<std::string>;

class HeartbeatScript : public ScriptTest {};

TEST_F(HeartbeatScript, RenewsTheLeaseAndWritesTheDescriptionEvenOverMaxmemory) {
    redis().command({"CONFIG", "SET", "maxmemory", "1"});
    auto reply = eval("heartbeat", {"ns:workers", "ns:worker:w"}, {"w", "5000", "30000", "state", "running", "run", "a1"});
    redis().command({"CONFIG", "SET", "maxmemory", "0"});
    EXPECT_EQ(reply.integer, 1) << reply.describe();
    EXPECT_EQ(redis().get_string({"ZSCORE", "ns:workers", "w"}), "5000");
    EXPECT_EQ(redis().hgetall("ns:worker:w"), (std::map<std::string, std::string>{{"state", "running"}, {"run", "a1"}}));
    EXPECT_GT(redis().integer({"PTTL", "ns:worker:w"}), 25000);
}

class Unreserve : public ScriptTest {};

TEST_F(Unreserve, MovesReservedIdsToTheHeadOfReadyInOrder) {
    redis().command({"RPUSH", "ns:reserved:w:a", "j1", "j2"});
    redis().command({"RPUSH", "ns:reserved:w:b", "j3"});
    redis().command({"RPUSH", "ns:ready:a", "j0"});
    EXPECT_EQ(run(protocol::unreserve_arguments(sha("unreserve"), {"ns", "w", {"a", "b"}})).integer, 3);
    EXPECT_EQ(redis().strings({"LRANGE", "ns:ready:a", "0", "-1"}), (Strings{"j1", "j2", "j0"}));
    EXPECT_EQ(redis().strings({"LRANGE", "ns:ready:b", "0", "-1"}), Strings{"j3"});
}

}  // namespace
}  // namespace onyx::test
