#include "cli/command_context.hpp"

#include "cli/printable_text.hpp"
#include "protocol/client_name.hpp"
#include "support/clock.hpp"

#include <onyx_common/redis_url.hpp>

#include <fmt/format.h>

#include <charconv>
#include <cstdio>

namespace onyx::cli {

CliError::CliError(int exit_code, const std::string& message)
    : std::runtime_error(escape_for_terminal(message)), exit_code_(exit_code) {}

CommandContext::CommandContext(const config::Config& cfg)
    : config(cfg),
      keys(cfg.ns),
      redis(common::parse_redis_url(cfg.redis_url), cfg.command_timeout_ms,
            std::string(protocol::kManagerClientName)),
      now_ms(support::wall_ms()) {}

int run_guarded(std::string_view command, const std::function<int()>& body) {
    auto report = [&](int code, const char* what) {
        fmt::print(stderr, "onyx-background {}: {}\n", command, escape_for_terminal(what));
        return code;
    };
    try {
        return body();
    } catch (const CliError& e) {
        return report(e.exit_code(), e.what());
    } catch (const common::RedisError& e) {
        return report(kExitUsage, e.what());
    } catch (const config::ConfigError& e) {
        return report(kExitUsage, e.what());
    } catch (const std::invalid_argument& e) {
        return report(kExitUsage, e.what());
    }
}

std::optional<int64_t> parse_integer(std::string_view text) {
    int64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr == text.data()) return std::nullopt;
    if (ptr != end && *ptr != '.') return std::nullopt;
    return value;
}

int64_t element_integer(const common::Reply& reply, size_t i) {
    const redisReply* e = reply->element[i];
    return e->type == REDIS_REPLY_INTEGER ? e->integer : 0;
}

std::string element_text(const common::Reply& reply, size_t i) {
    const redisReply* e = reply->element[i];
    return e->str != nullptr ? std::string(e->str, e->len) : std::string();
}

int64_t integer_of(const common::Reply& reply) {
    if (reply->type == REDIS_REPLY_INTEGER) return reply->integer;
    if (reply->type == REDIS_REPLY_STRING) return parse_integer(reply.text()).value_or(0);
    return 0;
}

}  // namespace onyx::cli
