// lua/dequeue.lua, lua/retry_job.lua, lua/retry_dead.lua, lua/purge.lua: the CLI's steps.
#include "script_test.hpp"

namespace onyx::test {
namespace {

using Strings = std::vector<std::string>;

class CliScripts : public ScriptTest {};

TEST_F(CliScripts, DequeueRemovesAWaitingJobAndItsHash) {
    redis().command({"HSET", "ns:jobs:j1", "que", "q"});
    redis().command({"ZADD", "ns:scheduled:q", "10", "j1"});
    EXPECT_EQ(texts(eval("dequeue", {"ns:jobs:j1"}, {"ns", "j1"})), (Strings{"1", "q", "scheduled"}));
    EXPECT_EQ(redis().integer({"EXISTS", "ns:jobs:j1", "ns:scheduled:q"}), 0);
}

TEST_F(CliScripts, DequeueTouchesNothingWhenTheJobIsNotWaitingOrNotAHash) {
    redis().command({"HSET", "ns:jobs:j1", "que", "q"});
    EXPECT_EQ(texts(eval("dequeue", {"ns:jobs:j1"}, {"ns", "j1"})), (Strings{"2", "q", ""}));
    EXPECT_EQ(redis().integer({"EXISTS", "ns:jobs:j1"}), 1);
    redis().command({"SET", "ns:jobs:j2", "x"});
    EXPECT_EQ(texts(eval("dequeue", {"ns:jobs:j2"}, {"ns", "j2"})), (Strings{"3", "string", ""}));
}

TEST_F(CliScripts, RetryJobRevivesADeadJob) {
    redis().command({"HSET", "ns:jobs:j1", "que", "q", "fal", "9", "ded", "5", "unc", "1"});
    redis().command({"ZADD", "ns:dead:q", "5", "j1"});
    EXPECT_EQ(texts(eval("retry_job", {"ns:jobs:j1"}, {"ns", "j1"})), (Strings{"1", "q", "dead"}));
    EXPECT_EQ(redis().hgetall("ns:jobs:j1"), (std::map<std::string, std::string>{{"que", "q"}, {"fal", "0"}}));
    EXPECT_EQ(redis().strings({"LRANGE", "ns:ready:q", "0", "-1"}), Strings{"j1"});
}

TEST_F(CliScripts, RetryDeadMovesJobsWithAHashAndDropsTheRest) {
    redis().command({"HSET", "ns:jobs:j1", "que", "q", "fal", "3"});
    redis().command({"ZADD", "ns:dead:q", "1", "j1", "2", "gone", "3", "j3"});
    redis().command({"HSET", "ns:jobs:j3", "que", "q"});
    EXPECT_EQ(texts(eval("retry_dead", {"ns:dead:q", "ns:ready:q"}, {"ns", "2"})), (Strings{"1", "1", "1"}));
    EXPECT_EQ(redis().strings({"LRANGE", "ns:ready:q", "0", "-1"}), Strings{"j1"});
    EXPECT_EQ(redis().get_string({"HGET", "ns:jobs:j1", "fal"}), "0");
}

TEST_F(CliScripts, PurgeRemovesOldAttemptsAndTheFinishedJobOfTheLatest) {
    redis().command({"ZADD", "ns:completed:q", "10", "a1", "200", "a2"});
    redis().command({"HSET", "ns:attempts:a1", "job", "j1"});
    redis().command({"HSET", "ns:jobs:j1", "que", "q"});
    redis().command({"HSET", "ns:latest:q", "j1", "a1"});
    EXPECT_EQ(eval("purge", {"ns:completed:q", "ns:latest:q"}, {"ns", "completed", "100", "1000"}).integer, 1);
    EXPECT_EQ(redis().strings({"ZRANGE", "ns:completed:q", "0", "-1"}), Strings{"a2"});
    EXPECT_EQ(redis().integer({"EXISTS", "ns:attempts:a1", "ns:jobs:j1"}), 0);
}

TEST_F(CliScripts, PurgeOfDeadJobsDeletesTheirHashesAndLinks) {
    redis().command({"ZADD", "ns:dead:q", "10", "j1"});
    redis().command({"HSET", "ns:jobs:j1", "que", "q"});
    redis().command({"HSET", "ns:latest:q", "j1", "a1"});
    EXPECT_EQ(eval("purge", {"ns:dead:q", "ns:latest:q"}, {"ns", "dead", "100", "1000"}).integer, 1);
    EXPECT_EQ(redis().integer({"EXISTS", "ns:jobs:j1", "ns:latest:q", "ns:dead:q"}), 0);
}

}  // namespace
}  // namespace onyx::test
