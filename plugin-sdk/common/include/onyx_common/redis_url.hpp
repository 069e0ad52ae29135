// Redis URL parsing: redis://[[user]:password@]host[:port][/db] and unix:///path[?db=N],
// as redis-cli and the original shard (REDIS_URL) accept them.
#pragma once

#include <string>
#include <string_view>

namespace onyx::common {

/// Where and how to reach Redis.
struct RedisEndpoint {
    std::string host = "127.0.0.1"; ///< empty when unix_path is set
    int port = 6379;
    std::string unix_path;          ///< unix socket path, empty for TCP
    std::string user;               ///< ACL user, empty for the default user
    std::string password;           ///< empty when no AUTH is needed
    int db = 0;

    /// The URL with the password replaced by "***", for logs and error messages.
    std::string redacted() const;
};

/// Parses a Redis URL. Throws std::invalid_argument with a sentence naming the bad part
/// (scheme, port, db) and never echoing the password.
/// TCP: redis://[[user]:password@]host[:port][/db]; a user info without ':' is the password
/// (as redis-cli reads it); user and password are percent-decoded; IPv6 hosts in brackets.
/// Unix: unix:///path[?db=N][&password=P][&user=U]. TLS (rediss://) is rejected. Thread-safe.
RedisEndpoint parse_redis_url(std::string_view url);

/// Hides the password in URL text that may not even parse (for error messages): the part
/// between "user:" (or "://") and the last '@', and every "password=" value, become "***".
/// Pure; thread-safe.
std::string redact_url(std::string_view url);

}  // namespace onyx::common
