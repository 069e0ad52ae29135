#include "redis/async_connection.hpp"

#include "redis/uv_adapter.hpp"
#include "support/clock.hpp"
#include "support/log.hpp"

#include <algorithm>
#include <memory>
#include <random>

namespace onyx::redis {
namespace {

constexpr uint64_t kDeadlineTickMs = 100;
// A ready connection with nothing in flight for this long sends a PING, so a server `timeout`
// (idle clients closed after N s, N >= 2) never closes it. A blocked BLMOVE is in flight, and
// Redis does not time out blocked clients.
constexpr int64_t kKeepaliveIdleMs = 1000;

std::string_view context_error(const redisAsyncContext* context) {
    if (context != nullptr && context->err != 0 && context->errstr[0] != '\0') return context->errstr;
    // hiredis 0.14 calls the connect callback before it copies the socket's error (e.g.
    // "Connection refused") from the inner context to the async one.
    if (context != nullptr && context->c.err != 0 && context->c.errstr[0] != '\0') return context->c.errstr;
    return "connection lost";
}

double jitter_fraction() {
    thread_local std::mt19937 rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.5, 1.0)(rng);
}

}  // namespace

std::string_view failure_text(const redisReply* reply, std::string_view error) {
    if (reply == nullptr) return error;
    if (reply->str != nullptr) return {reply->str, reply->len};
    return "unexpected reply type";
}

struct AsyncConnection::Pending {
    AsyncConnection* owner;
    ReplyHandler handler;
};

AsyncConnection::AsyncConnection(uv_loop_t* loop, AsyncOptions options)
    : loop_(loop), options_(std::move(options)) {
    uv_timer_init(loop_, &retry_timer_);
    uv_timer_init(loop_, &deadline_timer_);
    retry_timer_.data = this;
    deadline_timer_.data = this;
    open_handles_ = 2;
}

AsyncConnection::~AsyncConnection() = default;

const std::string& AsyncConnection::script_sha(std::string_view name) const {
    static const std::string kNone;
    auto it = shas_.find(name);
    return it == shas_.end() ? kNone : it->second;
}

void AsyncConnection::start() {
    uv_timer_start(&deadline_timer_, [](uv_timer_t* t) {
        static_cast<AsyncConnection*>(t->data)->check_deadlines();
    }, kDeadlineTickMs, kDeadlineTickMs);
    connect();
}

void AsyncConnection::connect() {
    const auto& ep = options_.endpoint;
    context_ = ep.unix_path.empty() ? redisAsyncConnect(ep.host.c_str(), ep.port)
                                    : redisAsyncConnectUnix(ep.unix_path.c_str());
    if (context_ == nullptr || context_->err != 0 || !attach_to_loop(context_, loop_)) {
        std::string reason(context_error(context_));
        if (context_ != nullptr) redisAsyncFree(context_);
        context_ = nullptr;
        lost(reason);
        return;
    }
    context_->data = this;
    redisAsyncSetConnectCallback(context_, on_connect);
    redisAsyncSetDisconnectCallback(context_, on_disconnect);
    state_ = State::connecting;
    connect_started_ms_ = support::monotonic_ms();
}

void AsyncConnection::on_connect(const redisAsyncContext* context, int status) {
    auto* self = static_cast<AsyncConnection*>(context->data);
    if (status == REDIS_OK) {
        self->setup();
        return;
    }
    // hiredis frees the context when this returns.
    self->context_ = nullptr;
    if (self->state_ == State::closing) return self->finish_close();
    self->lost(context_error(context));
}

void AsyncConnection::setup() {
    state_ = State::setting_up;
    const auto& ep = options_.endpoint;
    // The setup commands are pipelined: after a refused AUTH every later one fails too. Log
    // the first failure of a connection attempt, and only once until it is up again.
    setup_failed_ = false;
    auto fail = [this](std::string_view what, std::string_view why) {
        if (!setup_failed_ && !logged_setup_error_) {
            ONYX_LOG(error, "redis {} ({}): {} failed: {}; retrying with backoff", options_.label, ep_redacted(),
                     what, why);
            logged_setup_error_ = true;
        }
        setup_failed_ = true;
        if (context_ != nullptr) redisAsyncDisconnect(context_);
    };
    auto step = [fail](std::string what) {
        return [fail, what](const redisReply* r, std::string_view err) {
            if (r == nullptr) return;  // connection lost: on_disconnect handles it
            if (r->type == REDIS_REPLY_ERROR) fail(what, std::string_view(r->str, r->len));
            (void)err;
        };
    };
    if (!ep.password.empty()) {
        if (ep.user.empty()) send({"AUTH", ep.password}, step("AUTH"), 0);
        else send({"AUTH", ep.user, ep.password}, step("AUTH"), 0);
    }
    if (ep.db != 0) send({"SELECT", std::to_string(ep.db)}, step("SELECT"), 0);
    if (!options_.client_name.empty()) {
        // A refused name must never stop the worker: warn once and go on. But a server that
        // refuses the connection itself answers the first command with its reason (maxclients):
        // that is a failed connect, logged once until the connection is up again.
        send({"CLIENT", "SETNAME", options_.client_name}, [this, fail](const redisReply* r, std::string_view) {
            if (r == nullptr || r->type != REDIS_REPLY_ERROR || setup_failed_) return;
            const std::string_view reason(r->str, r->len);
            if (reason.starts_with("ERR max number of clients")) return fail("connect", reason);
            if (!logged_setname_refused_)
                ONYX_LOG(warn, "redis {}: CLIENT SETNAME {} refused: {}", options_.label, options_.client_name, reason);
            logged_setname_refused_ = true;
        }, 0);
    }
    for (const auto& script : options_.scripts) {
        send({"SCRIPT", "LOAD", std::string(script.source)},
             [this, fail, name = std::string(script.name)](const redisReply* r, std::string_view) {
                 if (r == nullptr) return;
                 if (r->type != REDIS_REPLY_STRING) return fail("SCRIPT LOAD " + name, r->str ? r->str : "");
                 shas_[name] = std::string(r->str, r->len);
             }, 0);
    }
    send({"CLIENT", "ID"}, [this](const redisReply* r, std::string_view) {
        if (r == nullptr || state_ != State::setting_up) return;
        if (r->type != REDIS_REPLY_INTEGER) {
            if (context_ != nullptr) redisAsyncDisconnect(context_);
            return;
        }
        client_id_ = r->integer;
        became_ready();
    }, 0);
}

std::string AsyncConnection::ep_redacted() const { return options_.endpoint.redacted(); }

void AsyncConnection::became_ready() {
    state_ = State::ready;
    failures_ = 0;
    logged_setup_error_ = false;
    if (logged_down_) ONYX_LOG(info, "redis {}: connected again to {}", options_.label, ep_redacted());
    else ONYX_LOG(debug, "redis {}: connected to {} (client id {})", options_.label, ep_redacted(), client_id_);
    logged_down_ = false;
    if (on_ready_) on_ready_(client_id_);
}

void AsyncConnection::on_disconnect(const redisAsyncContext* context, int) {
    auto* self = static_cast<AsyncConnection*>(context->data);
    self->context_ = nullptr;
    self->deadlines_.clear();
    if (self->state_ == State::closing) return self->finish_close();
    self->lost(self->timeout_reason_.empty() ? context_error(context) : self->timeout_reason_);
}

void AsyncConnection::lost(std::string_view reason) {
    const bool was_ready = state_ == State::ready;
    state_ = State::waiting;
    client_id_ = 0;
    shas_.clear();
    if (!logged_down_ && !logged_setup_error_) {
        ONYX_LOG(warn, "redis {}: {} {}: {}; retrying with backoff", options_.label,
                 was_ready ? "lost connection to" : "cannot connect to", ep_redacted(), reason);
    }
    logged_down_ = true;
    timeout_reason_.clear();
    if (was_ready && on_down_) on_down_(reason);
    if (state_ == State::waiting) schedule_reconnect();
}

void AsyncConnection::schedule_reconnect() {
    const int shift = std::min(failures_, 16);
    const int64_t delay = std::min(options_.reconnect_cap_ms, options_.reconnect_base_ms << shift);
    ++failures_;
    const auto wait_ms = static_cast<uint64_t>(static_cast<double>(delay) * jitter_fraction());
    uv_timer_start(&retry_timer_, [](uv_timer_t* t) {
        auto* self = static_cast<AsyncConnection*>(t->data);
        if (self->state_ == State::waiting) self->connect();
    }, wait_ms, 0);
}

void AsyncConnection::check_deadlines() {
    const int64_t now = support::monotonic_ms();
    if (context_ == nullptr) return;
    if (state_ == State::connecting && now - connect_started_ms_ > options_.connect_timeout_ms) {
        redisAsyncContext* context = context_;
        context_ = nullptr;
        redisAsyncFree(context);  // not connected yet: no disconnect callback follows
        lost("connect timed out");
        return;
    }
    if (!deadlines_.empty() && deadlines_.front() < now) {
        // A silently dead connection: drop it; pending commands get null replies.
        timeout_reason_ = "command timed out";
        redisAsyncFree(context_);
        return;
    }
    if (state_ == State::ready && deadlines_.empty() && now - last_traffic_ms_ >= kKeepaliveIdleMs)
        send({"PING"}, [](const redisReply*, std::string_view) {}, 0);
}

void AsyncConnection::command(const std::vector<std::string>& argv, ReplyHandler handler,
                              int64_t extra_timeout_ms) {
    if (state_ != State::ready || context_ == nullptr) {
        handler(nullptr, "not connected");
        return;
    }
    send(argv, std::move(handler), extra_timeout_ms);
}

void AsyncConnection::send(const std::vector<std::string>& argv, ReplyHandler handler,
                           int64_t extra_timeout_ms) {
    std::vector<const char*> parts(argv.size());
    std::vector<size_t> lengths(argv.size());
    for (size_t i = 0; i < argv.size(); ++i) {
        parts[i] = argv[i].data();
        lengths[i] = argv[i].size();
    }
    auto* pending = new Pending{this, std::move(handler)};
    if (redisAsyncCommandArgv(context_, on_reply, pending, static_cast<int>(argv.size()), parts.data(),
                              lengths.data()) != REDIS_OK) {
        std::unique_ptr<Pending> owned(pending);
        owned->handler(nullptr, "connection closing");
        return;
    }
    last_traffic_ms_ = support::monotonic_ms();
    deadlines_.push_back(last_traffic_ms_ + options_.command_timeout_ms + extra_timeout_ms);
}

void AsyncConnection::on_reply(redisAsyncContext* context, void* reply, void* data) {
    std::unique_ptr<Pending> pending(static_cast<Pending*>(data));
    AsyncConnection* self = pending->owner;
    if (!self->deadlines_.empty()) self->deadlines_.pop_front();
    self->last_traffic_ms_ = support::monotonic_ms();
    const auto* r = static_cast<const redisReply*>(reply);
    pending->handler(r, r == nullptr ? context_error(context) : std::string_view());
}

void AsyncConnection::set_client_name(std::string name) {
    options_.client_name = std::move(name);
    if (state_ != State::ready) return;
    send({"CLIENT", "SETNAME", options_.client_name}, [this](const redisReply* r, std::string_view) {
        if (r != nullptr && r->type == REDIS_REPLY_ERROR)
            ONYX_LOG(warn, "redis {}: CLIENT SETNAME refused: {}", options_.label, std::string_view(r->str, r->len));
    }, 0);
}

void AsyncConnection::close(std::function<void()> done) {
    on_closed_ = std::move(done);
    state_ = State::closing;
    // Deferred to a timer callback: close() may be called inside a hiredis reply callback,
    // where freeing the context is not allowed.
    uv_timer_start(&retry_timer_, [](uv_timer_t* t) {
        auto* self = static_cast<AsyncConnection*>(t->data);
        if (self->context_ == nullptr) return self->finish_close();
        redisAsyncContext* context = self->context_;
        self->context_ = nullptr;
        // Free rather than disconnect: a pending BLMOVE would otherwise hold shutdown up.
        // Pending handlers run with null replies; on_disconnect then sees closing.
        redisAsyncFree(context);
        if (self->state_ == State::closing) self->finish_close();
    }, 0, 0);
}

void AsyncConnection::finish_close() {
    if (state_ == State::closed) return;
    state_ = State::closed;
    uv_timer_stop(&deadline_timer_);
    uv_timer_stop(&retry_timer_);
    auto on_handle_closed = [](uv_handle_t* h) {
        auto* self = static_cast<AsyncConnection*>(h->data);
        if (--self->open_handles_ == 0 && self->on_closed_) self->on_closed_();
    };
    uv_close(reinterpret_cast<uv_handle_t*>(&retry_timer_), on_handle_closed);
    uv_close(reinterpret_cast<uv_handle_t*>(&deadline_timer_), on_handle_closed);
}

}  // namespace onyx::redis
