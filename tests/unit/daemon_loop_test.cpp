// redis::run_daemon_loop, the loop thread worker and watcher share: a bad [redis] url ends the
// start with exit code 1 before any loop runs; a good one hands the parsed endpoint and a live
// loop to the daemon's body, then exits 0.
#include "redis/daemon_loop.hpp"

#include <gtest/gtest.h>

namespace onyx::redis {
namespace {

TEST(DaemonLoop, BadUrlReturnsOneWithoutRunningTheBody) {
    config::Config config;
    config.redis_url = "http://:secret@h";
    bool ran = false;
    EXPECT_EQ(run_daemon_loop(config, [&](uv_loop_t*, const common::RedisEndpoint&) { ran = true; }), 1);
    EXPECT_FALSE(ran);
}

TEST(DaemonLoop, GoodUrlRunsTheBodyOnALiveLoopWithTheParsedEndpointAndReturnsZero) {
    config::Config config;
    config.redis_url = "redis://h:6380/3";
    bool ran = false;
    const int code = run_daemon_loop(config, [&](uv_loop_t* loop, const common::RedisEndpoint& endpoint) {
        ran = true;
        EXPECT_EQ(endpoint.host, "h");
        EXPECT_EQ(endpoint.port, 6380);
        EXPECT_EQ(endpoint.db, 3);
        EXPECT_EQ(uv_run(loop, UV_RUN_DEFAULT), 0);  // nothing to do: returns at once
    });
    EXPECT_EQ(code, 0);
    EXPECT_TRUE(ran);
}

}  // namespace
}  // namespace onyx::redis
