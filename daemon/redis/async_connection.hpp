// One asynchronous Redis connection on the libuv loop, with reconnect, setup and timeouts.
//
// hiredis's contract, which this class lives under: each command callback runs exactly once,
// with a null reply on error or disconnect; a reply is valid only inside its callback; hiredis
// frees the context itself after a failed connect or after the disconnect callback, so this
// class drops its pointer there and never frees the context inside a hiredis callback.
// hiredis 0.14 has no async timeouts: connect and command deadlines are our own uv timers.
#pragma once

#include "protocol/scripts.hpp"

#include <onyx_common/redis_url.hpp>

#include <hiredis/async.h>
#include <uv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace onyx::redis {

/// Settings of one connection. Durations in ms.
struct AsyncOptions {
    common::RedisEndpoint endpoint;
    std::string label;                ///< names the connection in logs, e.g. "worker main"
    std::string client_name;          ///< CLIENT SETNAME on every connect; empty = none
    std::vector<protocol::Script> scripts; ///< SCRIPT LOADed on every connect
    int64_t connect_timeout_ms = 2000;
    int64_t command_timeout_ms = 5000;
    int64_t reconnect_base_ms = 100;  ///< first retry delay; doubles per failure
    int64_t reconnect_cap_ms = 5000;  ///< largest retry delay (jitter: 50-100% of it)
};

/// Called exactly once per command: `reply` is the reply (possibly an error reply) or null
/// when the command failed without one; then `error` says why (not connected, timed out,
/// connection lost). The reply is valid only during the call.
using ReplyHandler = std::function<void(const redisReply* reply, std::string_view error)>;

/// Why a command failed, for a log line: an error reply's text, a note for a reply of an
/// unexpected type, or `error` when there was no reply. Valid while `reply` and `error` are.
std::string_view failure_text(const redisReply* reply, std::string_view error);

/// Loop thread only: every member must be called on the thread that runs `loop`. A ready
/// connection idle for 1 s (nothing in flight) sends a PING, so a server `timeout` of 2 s or
/// more never closes it.
class AsyncConnection {
public:
    AsyncConnection(uv_loop_t* loop, AsyncOptions options);
    ~AsyncConnection();
    AsyncConnection(const AsyncConnection&) = delete;
    AsyncConnection& operator=(const AsyncConnection&) = delete;

    /// Called when a connection is up and its setup (AUTH, SELECT, SETNAME, CLIENT ID,
    /// SCRIPT LOAD) succeeded; the argument is the connection's CLIENT ID.
    void on_ready(std::function<void(int64_t client_id)> callback) { on_ready_ = std::move(callback); }
    /// Called when a ready connection is lost (before reconnecting by itself).
    void on_down(std::function<void(std::string_view reason)> callback) { on_down_ = std::move(callback); }

    /// Starts connecting; reconnects with capped exponential backoff and jitter until close().
    void start();

    /// Sends a command. When not ready, `handler` runs at once with a null reply.
    /// `extra_timeout_ms` extends the deadline for blocking commands (BLMOVE's own timeout).
    void command(const std::vector<std::string>& argv, ReplyHandler handler, int64_t extra_timeout_ms = 0);

    /// Changes the client name; sent now when ready, and on every later connect.
    void set_client_name(std::string name);

    /// True after on_ready and until the connection is lost.
    bool ready() const { return state_ == State::ready; }

    /// CLIENT ID of the current connection; 0 when not ready.
    int64_t client_id() const { return client_id_; }

    /// SHA1 of a loaded script by name; empty when not ready.
    const std::string& script_sha(std::string_view name) const;

    /// Disconnects (pending commands get their replies first, or null), stops reconnecting and
    /// calls `done` once every handle is closed; the object may be destroyed after that.
    void close(std::function<void()> done);

private:
    enum class State { idle, connecting, setting_up, ready, waiting, closing, closed };
    struct Pending;

    void connect();
    void setup();
    void became_ready();
    void lost(std::string_view reason);
    void schedule_reconnect();
    void check_deadlines();
    void finish_close();
    void send(const std::vector<std::string>& argv, ReplyHandler handler, int64_t extra_timeout_ms);
    std::string ep_redacted() const;

    static void on_connect(const redisAsyncContext* context, int status);
    static void on_disconnect(const redisAsyncContext* context, int status);
    static void on_reply(redisAsyncContext* context, void* reply, void* data);

    uv_loop_t* loop_;
    AsyncOptions options_;
    redisAsyncContext* context_ = nullptr;
    State state_ = State::idle;
    uv_timer_t retry_timer_{};
    uv_timer_t deadline_timer_{};
    int open_handles_ = 0;
    int failures_ = 0;              ///< consecutive failed connects, for the backoff
    bool logged_down_ = false;      ///< one log line per state change, not per retry
    bool logged_setup_error_ = false; ///< a refused AUTH/SELECT/... was logged since the last up
    bool logged_setname_refused_ = false; ///< CLIENT SETNAME refusals are logged once per process
    bool setup_failed_ = false;     ///< this connection attempt's setup failed
    int64_t connect_started_ms_ = 0;
    int64_t last_traffic_ms_ = 0;   ///< monotonic ms of the last command sent or reply read
    int64_t client_id_ = 0;
    std::string timeout_reason_;    ///< why we dropped the connection ourselves, for the log
    std::deque<int64_t> deadlines_; ///< monotonic ms per in-flight command, reply order
    std::map<std::string, std::string, std::less<>> shas_;
    std::function<void(int64_t)> on_ready_;
    std::function<void(std::string_view)> on_down_;
    std::function<void()> on_closed_;
};

}  // namespace onyx::redis
