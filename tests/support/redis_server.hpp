// A throwaway redis-server per test: own temp dir, own free port, killed in teardown and at
// exit (CONVENTIONS.md 17). Never the system redis on 6379.
#pragma once

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace onyx::test {

/// How a RedisServer runs.
struct RedisServerOptions {
    /// `appendonly yes`: data written before stop() or kill9() is there again after start().
    /// Add {"--appendfsync", "always"} to extra_args when even the last second before a
    /// kill9() must survive.
    bool appendonly = false;
    /// More redis-server arguments, appended last so they win (e.g. {"--maxmemory", "1mb"}).
    std::vector<std::string> extra_args;
    /// How long start() waits for PING to answer PONG (AOF loading included).
    std::chrono::milliseconds start_timeout = std::chrono::seconds(10);
};

/// One redis-server child bound to 127.0.0.1 on a free port, with its data, log
/// (redis.log) and unix socket (redis.sock) in a fresh temp dir. The constructor starts it;
/// stop()/kill9() and start() restart it on the same port and dir. The destructor kills it
/// and removes the dir; if the test program dies first, it is killed too (see Process).
/// redis-server is found through PATH; when it is missing the constructor throws (tests fail
/// loudly rather than skip). Not thread-safe; not copyable or movable.
class RedisServer {
public:
    /// Picks a free port and starts the server, as start() does; picks another port (up to 5)
    /// when another process took it first. Throws std::runtime_error when redis-server is not
    /// in PATH or does not answer, with its stderr and the tail of redis.log.
    explicit RedisServer(RedisServerOptions options = {});

    /// Kills the server (SIGKILL) and removes its dir.
    ~RedisServer();

    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    /// Starts the server on port() with dir() and waits (bounded poll) until PING answers.
    /// Throws std::logic_error when it already runs, and std::runtime_error with its stderr
    /// and the tail of redis.log when it exits or stays silent past the start timeout.
    void start();

    /// SIGTERM (Redis saves the AOF and exits), then SIGKILL if it still runs after `grace`;
    /// reaps it. Does nothing when it is not running.
    void stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

    /// SIGKILL now and reap: a crash, with no shutdown work. Nothing when not running.
    void kill9();

    /// True while the server process runs.
    bool is_running();

    /// The TCP port (fixed for this object's life).
    int port() const { return port_; }

    /// "redis://127.0.0.1:<port>/0".
    std::string url() const;

    /// Path of its unix socket, e.g. for "unix://<path>" URLs; empty when the path would be
    /// too long for a socket address (a long $TMPDIR), in which case there is no socket.
    std::filesystem::path unix_socket() const;

    /// Its working directory (AOF and log live here).
    const std::filesystem::path& dir() const { return dir_.path(); }

    /// The pid of the running server; -1 when stopped.
    pid_t pid() const;

    /// Everything in redis.log so far, for failure messages.
    std::string log_text() const;

private:
    std::vector<std::string> argv() const;
    bool launch();

    RedisServerOptions options_;
    TempDir dir_;
    int port_ = 0;
    std::unique_ptr<Process> process_;
    std::string failure_;  // stderr and log tail of the last failed launch
};

}  // namespace onyx::test
