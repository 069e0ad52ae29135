// lua/finish.lua: records only attempts still in processing; a failure counts `fal` as the
// worker reads it and sends the job to retry or dead.
#include "script_test.hpp"

#include "protocol/attempt_records.hpp"

namespace onyx::test {
namespace {

using protocol::finish_arguments;
using protocol::FinishedAttempt;

class Finish : public ScriptTest {};

TEST_F(Finish, RecordsACompletedAttemptAndSkipsOneNoLongerInProcessing) {
    redis().command({"SADD", "ns:processing:q", "a1"});
    FinishedAttempt live{"q", "a1", "j1", 1000, 1.5, "", "", std::nullopt};
    FinishedAttempt stale{"q", "a2", "j2", 1000, 1.5, "", "", std::nullopt};
    EXPECT_EQ(run(finish_arguments(sha("finish"), "ns", {live, stale})).integer, 1);
    EXPECT_EQ(redis().hgetall("ns:attempts:a1"), (std::map<std::string, std::string>{{"fin", "1000"}, {"tim", "1.500"}}));
    EXPECT_EQ(redis().integer({"EXISTS", "ns:attempts:a2"}), 0) << "a stale attempt gets nothing";
    EXPECT_EQ(redis().strings({"ZRANGE", "ns:completed:q", "0", "-1"}), std::vector<std::string>{"a1"});
    EXPECT_EQ(redis().get_string({"HGET", "ns:stats:q", "completed"}), "1");
    EXPECT_EQ(redis().integer({"SCARD", "ns:processing:q"}), 0);
}

TEST_F(Finish, AFailureReadsFal1e3AsZeroAndWaitsForItsRetry) {
    redis().command({"SADD", "ns:processing:q", "a1"});
    redis().command({"HSET", "ns:jobs:j1", "que", "q", "fal", "1e3"});
    FinishedAttempt failed{"q", "a1", "j1", 1000, 2.0, "E", "boom", 5000};
    EXPECT_EQ(run(finish_arguments(sha("finish"), "ns", {failed})).integer, 1);
    EXPECT_EQ(redis().get_string({"HGET", "ns:jobs:j1", "fal"}), "1");
    EXPECT_EQ(redis().get_string({"ZSCORE", "ns:retry:q", "j1"}), "5000");
    EXPECT_EQ(redis().get_string({"HGET", "ns:attempts:a1", "err"}), "E");
    EXPECT_EQ(redis().get_string({"HGET", "ns:stats:q", "failed"}), "1");
}

TEST_F(Finish, AFinalFailureMakesTheJobDead) {
    redis().command({"SADD", "ns:processing:q", "a1"});
    redis().command({"HSET", "ns:jobs:j1", "que", "q", "fal", "2"});
    FinishedAttempt failed{"q", "a1", "j1", 1000, 2.0, "E", "boom", std::nullopt};
    run(finish_arguments(sha("finish"), "ns", {failed}));
    EXPECT_EQ(redis().get_string({"HGET", "ns:jobs:j1", "fal"}), "3");
    EXPECT_EQ(redis().get_string({"HGET", "ns:jobs:j1", "ded"}), "1000");
    EXPECT_EQ(redis().get_string({"ZSCORE", "ns:dead:q", "j1"}), "1000");
}

}  // namespace
}  // namespace onyx::test
