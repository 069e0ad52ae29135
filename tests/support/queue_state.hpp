// What the daemon left in queue `default` at the end of a test: where unfinished work sits
// (for failure messages) and whether every job completed exactly once. Reads with a
// RedisClient; shared by the tests that stop, restart or refuse Redis under load.
#pragma once

#include "support/redis_client.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace onyx::test {

/// Where the work of queue `default` in namespace `ns` sits, for a failure message: "ready N,
/// processing N, completed N, failed N", then ", <key> <length>" for every reservation list
/// `<ns>:reserved:*` (any worker, any queue), then one "\n  still processing: attempt A job J"
/// line per attempt in `<ns>:processing:default`. Throws std::runtime_error (from RedisClient)
/// on a connection error. Uses `redis` only: not thread-safe.
std::string queue_leftovers(RedisClient& redis, std::string_view ns);

/// Whether each job of `ids` has exactly one completed attempt in `<ns>:completed:default`,
/// no other job has one, and no attempt in `<ns>:failed:default` failed (not even as "Claim
/// Lost": a running worker adopts the attempts of a claim whose reply it lost,
/// docs/protocol.md, "Lost claim replies"). Returns success, or a failure naming the first 20
/// offending jobs and attempts; use it as EXPECT_TRUE(each_completed_once(...)). Throws
/// std::runtime_error (from RedisClient) on a connection error. Not thread-safe.
testing::AssertionResult each_completed_once(RedisClient& redis, std::string_view ns,
                                             const std::vector<std::string>& ids);

}  // namespace onyx::test
