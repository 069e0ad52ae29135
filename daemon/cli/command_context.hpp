// What every operator subcommand shares: one Redis connection named like the original
// Manager, the key builder, "now", and the mapping of failures to exit codes
// (0 ok, 1 not found, 2 usage or connection error; docs/cli.md).
#pragma once

#include "config/config.hpp"

#include <onyx_background/keys.hpp>
#include <onyx_common/sync_connection.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace onyx::cli {

/// Exit codes of the operator subcommands.
enum ExitCode : int {
    kExitOk = 0,        ///< done
    kExitNotFound = 1,  ///< the job, queue entry or record asked for is not there (or was claimed)
    kExitUsage = 2,     ///< bad arguments, bad config, or Redis unreachable / error reply
};

/// A failure a command reports with one line on stderr and a chosen exit code.
class CliError : public std::runtime_error {
public:
    /// `message` is the whole line (without the program prefix); `exit_code` is returned. The
    /// message is kept escaped for the terminal (escape_for_terminal), so it may quote any
    /// bytes read from Redis: what() is a C string, and a NUL would end it.
    CliError(int exit_code, const std::string& message);

    /// The exit code the command ends with.
    int exit_code() const { return exit_code_; }

private:
    int exit_code_;
};

/// One command's view of Redis. Owns a blocking connection (CLIENT SETNAME
/// onyx-background-manager). Not thread-safe.
struct CommandContext {
    /// Connects to config.redis_url with config.command_timeout_ms as connect and command
    /// timeout. Throws common::RedisError (names the URL, password hidden, and the reason) or
    /// std::invalid_argument for a bad URL.
    explicit CommandContext(const config::Config& config);

    const config::Config& config;     ///< borrowed; outlives the context
    onyx_background::Keys keys;       ///< key names in config.ns
    common::SyncConnection redis;      ///< the connection
    int64_t now_ms;                   ///< wall clock ms when the context was made

};

/// Runs `body` and turns what it throws into one stderr line "onyx-background <command>:
/// <reason>" (reason escaped for the terminal) and an exit code: CliError its own,
/// common::RedisError, config::ConfigError and std::invalid_argument 2. Returns body's result
/// otherwise.
int run_guarded(std::string_view command, const std::function<int()>& body);

/// An integer reply's value; 0 for nil; a bulk string is parsed as decimal (0 when not a number).
int64_t integer_of(const common::Reply& reply);

/// Element `i` of an array reply (as a Lua script returns) when it is an integer, else 0.
/// `i` must be below reply->elements (not checked). Reads only: safe from any thread.
int64_t element_integer(const common::Reply& reply, size_t i);

/// The text of element `i` of an array reply (bulk string or status), "" for an element
/// without text (nil, integer). `i` must be below reply->elements (not checked). Reads only.
std::string element_text(const common::Reply& reply, size_t i);

/// Parses `text` as a whole decimal number; nullopt for empty or non-numeric text (a float
/// like "12.5" gives its whole part).
std::optional<int64_t> parse_integer(std::string_view text);

}  // namespace onyx::cli
