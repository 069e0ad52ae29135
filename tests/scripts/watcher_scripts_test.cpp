// lua/promote.lua, lua/recover.lua, lua/trim.lua: the watcher's steps, one call each.
#include "script_test.hpp"

namespace onyx::test {
namespace {

using Strings = std::vector<std::string>;
using Fields = std::map<std::string, std::string>;

class Promote : public ScriptTest {};

TEST_F(Promote, MovesDueJobsAndSaysWhenTheNextIsDue) {
    redis().command({"SADD", "ns:queues", "q"});
    redis().command({"ZADD", "ns:scheduled:q", "10", "j1", "500", "j2"});
    redis().command({"ZADD", "ns:retry:q", "20", "j3"});
    EXPECT_EQ(texts(eval("promote", {"ns:queues"}, {"ns", "100", "10"})), (Strings{"2", "0", "500"}));
    EXPECT_EQ(redis().strings({"LRANGE", "ns:ready:q", "0", "-1"}), (Strings{"j1", "j3"}));
}

// promote_batch may be up to 100,000: more ids than Lua's unpack() takes at once (about 8,000).
TEST_F(Promote, ABatchLargerThanLuasUnpackLimitIsMovedWholeInOrder) {
    redis().command({"SADD", "ns:queues", "q"});
    std::vector<std::string> zadd = {"ZADD", "ns:scheduled:q"};
    for (int i = 0; i < 10000; ++i) zadd.insert(zadd.end(), {std::to_string(i), "j" + std::to_string(i)});
    redis().command(zadd);
    EXPECT_EQ(texts(eval("promote", {"ns:queues"}, {"ns", "20000", "10000"})), (Strings{"10000", "1", ""}));
    EXPECT_EQ(redis().integer({"LLEN", "ns:ready:q"}), 10000);
    EXPECT_EQ(redis().strings({"LRANGE", "ns:ready:q", "9999", "9999"}), Strings{"j9999"});
    EXPECT_EQ(redis().integer({"ZCARD", "ns:scheduled:q"}), 0);
}

TEST_F(Promote, SkipsAKeyOfTheWrongTypeAndPromotesTheOtherQueues) {
    redis().command({"SADD", "ns:queues", "bad", "good"});
    redis().command({"SET", "ns:scheduled:bad", "oops"});
    redis().command({"ZADD", "ns:scheduled:good", "10", "j1"});
    EXPECT_EQ(texts(eval("promote", {"ns:queues"}, {"ns", "100", "10"})), (Strings{"1", "0", ""}));
    EXPECT_EQ(redis().strings({"LRANGE", "ns:ready:good", "0", "-1"}), Strings{"j1"});
}

class Recover : public ScriptTest {
protected:
    // A dead worker `w` (lease ended at 50) whose attempt a1 of job j1 is in processing:q.
    void dead_worker_with_attempt(const std::string& run_field) {
        redis().command({"SADD", "ns:queues", "q"});
        redis().command({"ZADD", "ns:workers", "50", "w"});
        redis().command({"HSET", "ns:worker:w", "run", run_field});
        redis().command({"SADD", "ns:processing:q", "a1"});
        redis().command({"HSET", "ns:attempts:a1", "wid", "w", "job", "j1"});
    }
    Reply recover() { return eval("recover", {"ns:workers", "ns:queues", "ns:class_retries"}, {"ns", "100", "10", "worker died", "25"}); }
};

TEST_F(Recover, CountsWorkerLostOnceThenWorkerTimeout) {
    dead_worker_with_attempt("other");
    redis().command({"HSET", "ns:jobs:j1", "que", "q", "fal", "0"});
    EXPECT_EQ(texts(recover()), (Strings{"1", "0", "0", "1", "0"}));
    EXPECT_EQ(redis().get_string({"HGET", "ns:attempts:a1", "err"}), "Worker Lost");
    EXPECT_EQ(redis().hgetall("ns:jobs:j1"), (Fields{{"que", "q"}, {"fal", "0"}, {"unc", "1"}}));
    EXPECT_EQ(redis().strings({"LRANGE", "ns:ready:q", "0", "-1"}), Strings{"j1"});
    EXPECT_FALSE(redis().optional_string({"HGET", "ns:stats:q", "failed"})) << "not counted";
    dead_worker_with_attempt("other");
    EXPECT_EQ(texts(recover()), (Strings{"1", "1", "0", "0", "0"})) << "the second time it counts";
    EXPECT_EQ(redis().get_string({"HGET", "ns:attempts:a1", "err"}), "Worker Timeout");
    EXPECT_EQ(redis().get_string({"HGET", "ns:jobs:j1", "fal"}), "1");
    EXPECT_EQ(redis().integer({"EXISTS", "ns:worker:w"}), 0);
    EXPECT_EQ(redis().integer({"ZCARD", "ns:workers"}), 0);
}

TEST_F(Recover, ARunningAttemptPastItsLimitMakesTheJobDead) {
    dead_worker_with_attempt("a1");
    redis().command({"HSET", "ns:jobs:j1", "que", "q", "fal", "2", "rty", "2"});
    redis().command({"RPUSH", "ns:reserved:w:q", "j7"});
    EXPECT_EQ(texts(recover()), (Strings{"1", "1", "1", "0", "1"}));
    EXPECT_EQ(redis().get_string({"ZSCORE", "ns:dead:q", "j1"}), "100");
    EXPECT_EQ(redis().strings({"LRANGE", "ns:ready:q", "0", "-1"}), Strings{"j7"}) << "its reserved id returned";
}

class Trim : public ScriptTest {};

TEST_F(Trim, RemovesOldRecordsWithTheFinishedJobButKeepsStats) {
    redis().command({"SADD", "ns:queues", "q"});
    redis().command({"ZADD", "ns:completed:q", "10", "a1", "95", "a2"});
    redis().command({"HSET", "ns:attempts:a1", "job", "j1"});
    redis().command({"HSET", "ns:jobs:j1", "que", "q"});
    redis().command({"HSET", "ns:latest:q", "j1", "a1"});
    redis().command({"HSET", "ns:stats:q", "completed", "2"});
    // completed ttl 50 ms; everything else kept.
    auto reply = eval("trim", {"ns:queues"}, {"ns", "100", "1000", "50", "100", "1000000", "100", "1000000", "100"});
    EXPECT_EQ(texts(reply), (Strings{"1", "0"}));
    EXPECT_EQ(redis().strings({"ZRANGE", "ns:completed:q", "0", "-1"}), Strings{"a2"});
    EXPECT_EQ(redis().integer({"EXISTS", "ns:attempts:a1", "ns:jobs:j1"}), 0);
    EXPECT_EQ(redis().integer({"HLEN", "ns:latest:q"}), 0);
    EXPECT_EQ(redis().get_string({"HGET", "ns:stats:q", "completed"}), "2");
}

}  // namespace
}  // namespace onyx::test
