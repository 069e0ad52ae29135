// A synchronous Redis connection (hiredis blocking API) for the CLI and the producer library.
// The worker and watcher never use it: their Redis I/O is asynchronous on the libuv loop.
#pragma once

#include <onyx_common/redis_url.hpp>

#include <hiredis/hiredis.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace onyx::common {

/// A connection failure or an error reply. what() names the endpoint (password hidden) and
/// Redis's own error text.
class RedisError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Owns one hiredis reply. Moves only. Elements of an array reply are borrowed views.
class Reply {
public:
    Reply() = default;
    explicit Reply(redisReply* reply) : reply_(reply, freeReplyObject) {}

    /// The raw reply (never null for a reply returned by SyncConnection).
    const redisReply* get() const { return reply_.get(); }
    const redisReply* operator->() const { return reply_.get(); }

    /// The string of a status/string reply, "" for nil.
    std::string_view text() const;
    /// The strings of an array reply ("" for nil elements).
    std::vector<std::string> strings() const;

private:
    std::shared_ptr<redisReply> reply_;
};

/// One blocking connection. Not thread-safe: one per thread.
class SyncConnection {
public:
    /// Connects with `timeout_ms` as connect and command timeout, AUTHs (ACL user when given),
    /// SELECTs the db and sets `client_name` (CLIENT SETNAME) when not empty.
    /// Throws RedisError naming the endpoint and the reason.
    SyncConnection(const RedisEndpoint& endpoint, int64_t timeout_ms,
                   const std::string& client_name = "");

    /// Runs one command. Throws RedisError on a connection error or an error reply.
    Reply command(const std::vector<std::string>& argv);

    /// Sends every command in one pipeline and returns the replies in order. An error reply
    /// is returned as is (type REDIS_REPLY_ERROR), not thrown; a connection error throws.
    std::vector<Reply> pipeline(const std::vector<std::vector<std::string>>& commands);

    /// Sends commands without reading their replies (pipelining across calls). Throws
    /// RedisError on a connection error.
    void send(const std::vector<std::vector<std::string>>& commands);

    /// Reads the next `count` replies of commands sent earlier, in order; error replies are
    /// returned as is. Throws RedisError on a connection error.
    std::vector<Reply> receive(size_t count);

    /// The endpoint as a URL with the password hidden, for messages.
    const std::string& where() const { return where_; }

private:
    void append(const std::vector<std::string>& argv);
    Reply read_reply();
    [[noreturn]] void fail(const std::string& doing);

    std::unique_ptr<redisContext, void (*)(redisContext*)> context_;
    std::string where_;
};

}  // namespace onyx::common
