// A small synchronous Redis client for test assertions (hiredis, blocking, binary-safe).
// Not the daemon's client: tests use it to look at what the daemon wrote.
#pragma once

#include <chrono>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct redisContext;

namespace onyx::test {

/// One Redis reply, copied out of hiredis so it stays valid after the call.
struct Reply {
    /// The RESP2 reply kinds hiredis reports.
    enum class Type { string, array, integer, nil, status, error };

    Type type = Type::nil;
    std::string str;            ///< bulk string, status or error text
    long long integer = 0;      ///< value of an integer reply
    std::vector<Reply> elements;///< elements of an array reply

    bool is_nil() const { return type == Type::nil; }
    bool is_error() const { return type == Type::error; }
    /// The reply's kind and content in one line, for messages ("integer 3", "nil"...).
    std::string describe() const;
};

/// The words of one command. Built implicitly from a braced list of strings
/// (`{"HGET", key, "cls"}`) or a std::vector<std::string>; each word is sent as one
/// binary-safe argument.
class Args {
public:
    Args(std::initializer_list<std::string_view> words) : words_(words.begin(), words.end()) {}
    Args(std::vector<std::string> words) : words_(std::move(words)) {}

    /// The words, in order.
    const std::vector<std::string>& words() const { return words_; }
    /// The words joined by spaces (cut after 200 bytes), for error messages.
    std::string text() const;

private:
    std::vector<std::string> words_;
};

/// A blocking connection to 127.0.0.1:<port>. Every method throws std::runtime_error whose
/// message names the command and the error text on a connection error, a timeout or (except
/// command_raw) an error reply. After a connection error, call reconnect() before reuse.
/// Not thread-safe; movable, not copyable.
class RedisClient {
public:
    /// Connects to 127.0.0.1:port; `timeout` bounds the connect and each command.
    explicit RedisClient(int port, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    ~RedisClient();
    RedisClient(RedisClient&&) noexcept;
    RedisClient& operator=(RedisClient&&) noexcept;

    /// Drops the connection and opens a new one (e.g. after a server restart).
    void reconnect();

    /// Sends a command and returns its reply; an error reply is returned, not thrown.
    Reply command_raw(const Args& args);

    /// Sends a command and returns its reply; throws on an error reply.
    Reply command(const Args& args);

    /// The reply as text: a bulk string or status. Throws on nil or another type.
    std::string get_string(const Args& args);

    /// A bulk string, or nullopt for nil (e.g. GET of a missing key). Throws on other types.
    std::optional<std::string> optional_string(const Args& args);

    /// An integer reply. Throws on other types.
    long long integer(const Args& args);

    /// An array of bulk strings (LRANGE, SMEMBERS, ZRANGE...). Throws on other types or on a
    /// nil element.
    std::vector<std::string> strings(const Args& args);

    /// HGETALL key as a map of field -> value (empty when the key is missing).
    std::map<std::string, std::string> hgetall(std::string_view key);

    /// The port this client connects to.
    int port() const { return port_; }

private:
    void connect();

    int port_;
    std::chrono::milliseconds timeout_;
    std::unique_ptr<redisContext, void (*)(redisContext*)> context_;
};

}  // namespace onyx::test
