#include "redis/daemon_loop.hpp"

#include "support/log.hpp"

namespace onyx::redis {

int run_daemon_loop(const config::Config& config, const DaemonBody& body) {
    common::RedisEndpoint endpoint;
    try {
        endpoint = common::parse_redis_url(config.redis_url);
    } catch (const std::exception& e) {
        ONYX_LOG(error, "[redis] url: {}", e.what());
        return 1;
    }
    uv_loop_t loop;
    uv_loop_init(&loop);
    body(&loop, endpoint);
    uv_loop_close(&loop);
    return 0;
}

}  // namespace onyx::redis
