// The heartbeat's arguments: the lease end and keep time, and the description fields, among
// them `run`, the attempts whose handlers run now, which a watcher's recovery relies on.
#include "worker/heartbeat.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace onyx::worker {
namespace {

// The value that follows `field` in the HSET pairs (after EVALSHA, sha, 2 KEYS and 3 ARGV values).
std::string field_value(const std::vector<std::string>& argv, const std::string& field) {
    for (size_t i = 8; i + 1 < argv.size(); i += 2)
        if (argv[i] == field) return argv[i + 1];
    ADD_FAILURE() << "no field " << field;
    return "";
}

const WorkerInfo kInfo{"ns", "w1", {"a", "b"}, 4, 1000, 10000};

TEST(Heartbeat, LeaseEndsOneLeaseFromNowAndTheHashIsKeptThree) {
    const auto argv = heartbeat_arguments("sha", kInfo, {0, {}, 0, "running"}, 5000);
    EXPECT_EQ(std::vector<std::string>(argv.begin(), argv.begin() + 8),
              (std::vector<std::string>{"EVALSHA", "sha", "2", "ns:workers", "ns:worker:w1", "w1", "15000", "30000"}));
    EXPECT_EQ(field_value(argv, "queues"), "a,b");
    EXPECT_EQ(field_value(argv, "state"), "running");
}

TEST(Heartbeat, RunListsTheRunningAttemptsCommaSeparatedAndIsEmptyWhenNoneRuns) {
    EXPECT_EQ(field_value(heartbeat_arguments("sha", kInfo, {0, {}, 3, "quiet"}, 5000), "run"), "");
    const auto argv = heartbeat_arguments("sha", kInfo, {2, {"att-1", "att-2"}, 3, "running"}, 5000);
    EXPECT_EQ(field_value(argv, "run"), "att-1,att-2");
    EXPECT_EQ(field_value(argv, "busy"), "2");
}

}  // namespace
}  // namespace onyx::worker
