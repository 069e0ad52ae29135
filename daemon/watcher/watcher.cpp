#include "watcher/watcher.hpp"

#include "protocol/client_name.hpp"
#include "protocol/scripts.hpp"
#include "redis/async_connection.hpp"
#include "redis/daemon_loop.hpp"
#include "support/clock.hpp"
#include "support/log.hpp"
#include "support/systemd_notify.hpp"

#include <onyx_common/redis_url.hpp>

#include <uv.h>

#include <algorithm>
#include <charconv>
#include <memory>

namespace onyx::watcher {
namespace {

// How often the scheduled sets are looked at when nothing is due sooner: bounds the lateness
// of a job scheduled less than this ahead of its time, since producers send no wake-up.
constexpr int64_t kPromotionScanMs = 10;

// Records removed per sorted set per trim call: bounds how long one call blocks Redis.
constexpr int kTrimBatch = 1000;

// The 6 retention values of the trim script for one queue policy.
void append_retention(std::vector<std::string>& argv, const config::QueueSettings& settings) {
    argv.insert(argv.end(), {std::to_string(settings.completed_ttl_ms), std::to_string(settings.max_completed),
                             std::to_string(settings.failed_ttl_ms), std::to_string(settings.max_failed),
                             std::to_string(settings.dead_ttl_ms), std::to_string(settings.max_dead)});
}

class Watcher {
public:
    Watcher(uv_loop_t* loop, const config::Config& config, common::RedisEndpoint endpoint);
    void start();

private:
    void promote();
    void on_promoted(const redisReply* reply);
    void schedule_promotion(int64_t delay_ms);
    void recover();
    void trim();
    void stop();

    uv_loop_t* loop_;
    const config::Config& config_;
    std::unique_ptr<redis::AsyncConnection> redis_;
    uv_timer_t promote_timer_{};
    uv_timer_t recover_timer_{};
    uv_signal_t signals_[2]{};
    bool promoting_ = false;
    bool recovering_ = false;
    bool trimming_ = false;
    bool notified_ready_ = false;
    uv_timer_t watchdog_timer_{};
    int64_t connected_since_ms_ = -1; ///< monotonic ms of the last (re)connect, -1 when down
    uint64_t promoted_total_ = 0;
};

Watcher::Watcher(uv_loop_t* loop, const config::Config& config, common::RedisEndpoint endpoint)
    : loop_(loop), config_(config) {
    redis::AsyncOptions options;
    options.endpoint = std::move(endpoint);
    options.label = "watcher";
    options.client_name = std::string(protocol::kWatcherClientName);
    options.scripts = {protocol::kPromoteScript, protocol::kRecoverScript, protocol::kTrimScript};
    options.connect_timeout_ms = config.connect_timeout_ms;
    options.command_timeout_ms = config.command_timeout_ms;
    redis_ = std::make_unique<redis::AsyncConnection>(loop_, options);
}

void Watcher::start() {
    uv_timer_init(loop_, &promote_timer_);
    uv_timer_init(loop_, &recover_timer_);
    promote_timer_.data = recover_timer_.data = this;
    const int signums[] = {SIGTERM, SIGINT};
    for (int i = 0; i < 2; ++i) {
        uv_signal_init(loop_, &signals_[i]);
        signals_[i].data = this;
        uv_signal_start(&signals_[i], [](uv_signal_t* s, int) { static_cast<Watcher*>(s->data)->stop(); }, signums[i]);
    }
    redis_->on_ready([this](int64_t) {
        connected_since_ms_ = support::monotonic_ms();
        if (!notified_ready_) {
            notified_ready_ = true;
            support::notify_ready("watching: promoting scheduled jobs, recovering dead workers");
        }
        support::notify_status("watching: connected to Redis");
        ONYX_LOG(info, "watcher ready: promoting scheduled jobs, recovering workers silent for {} ms",
                 config_.lease_ms);
        promote();
    });
    redis_->on_down([this](std::string_view) {
        connected_since_ms_ = -1;
        support::notify_status("waiting for Redis");
    });
    support::start_watchdog(loop_, &watchdog_timer_);
    const auto interval = static_cast<uint64_t>(config_.watcher_interval_ms);
    uv_timer_start(&recover_timer_, [](uv_timer_t* t) {
        auto* self = static_cast<Watcher*>(t->data);
        self->recover();
        self->trim();
    }, interval, interval);
    redis_->start();
    ONYX_LOG(info, "watcher starting: namespace {}, interval {} ms, lease {} ms", config_.ns,
             config_.watcher_interval_ms, config_.lease_ms);
}

void Watcher::schedule_promotion(int64_t delay_ms) {
    uv_timer_start(&promote_timer_, [](uv_timer_t* t) { static_cast<Watcher*>(t->data)->promote(); },
                   static_cast<uint64_t>(std::max<int64_t>(0, delay_ms)), 0);
}

void Watcher::promote() {
    if (promoting_ || !redis_->ready()) return;
    promoting_ = true;
    redis_->command({"EVALSHA", redis_->script_sha("promote"), "0", config_.ns, std::to_string(support::wall_ms()),
                     std::to_string(config_.promote_batch)},
                    [this](const redisReply* reply, std::string_view error) {
                        promoting_ = false;
                        if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) {
                            ONYX_LOG(warn, "promotion failed: {}", redis::failure_text(reply, error));
                            return schedule_promotion(config_.watcher_interval_ms);
                        }
                        on_promoted(reply);
                    });
}

void Watcher::on_promoted(const redisReply* reply) {
    const long long promoted = reply->element[0]->integer;
    const bool more = reply->element[1]->integer != 0;
    promoted_total_ += static_cast<uint64_t>(promoted);
    if (promoted > 0) ONYX_LOG(debug, "promoted {} scheduled jobs", promoted);
    if (more) return schedule_promotion(0);
    int64_t delay = kPromotionScanMs;
    const redisReply* next = reply->element[2];
    int64_t next_due = 0;
    if (next->type == REDIS_REPLY_STRING && next->len > 0 &&
        std::from_chars(next->str, next->str + next->len, next_due).ec == std::errc()) {
        delay = std::min(delay, next_due - support::wall_ms());
    }
    schedule_promotion(delay);
}

void Watcher::recover() {
    if (recovering_ || !redis_->ready() || connected_since_ms_ < 0) return;
    // After a (re)connect, live workers get one lease to beat again before anyone is judged:
    // a Redis restart or outage must not make a live worker look dead.
    if (support::monotonic_ms() - connected_since_ms_ < config_.lease_ms) return;
    recovering_ = true;
    std::vector<std::string> argv = {"EVALSHA", redis_->script_sha("recover"), "0", config_.ns,
                                     std::to_string(support::wall_ms()), "10",
                                     "the worker's lease expired: it stopped sending heartbeats",
                                     std::to_string(config::QueueSettings{}.retries)};
    for (const auto& [queue, settings] : config_.queue_settings) {
        argv.insert(argv.end(), {queue, std::to_string(settings.retries)});
    }
    redis_->command(argv,
                    [this](const redisReply* reply, std::string_view error) {
                        recovering_ = false;
                        if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements != 5) {
                            ONYX_LOG(warn, "recovery failed: {}", redis::failure_text(reply, error));
                            return;
                        }
                        if (reply->element[0]->integer > 0) {
                            ONYX_LOG(warn, "recovered {} dead workers: {} attempts failed with Worker Timeout "
                                     "(counted; {} of their jobs dead, the others requeued), {} not running at the "
                                     "last heartbeat put back uncounted (Worker Lost), {} reserved jobs returned",
                                     reply->element[0]->integer, reply->element[1]->integer,
                                     reply->element[4]->integer, reply->element[3]->integer,
                                     reply->element[2]->integer);
                            recover();  // more dead workers than one batch
                        }
                    });
}

void Watcher::trim() {
    if (trimming_ || !redis_->ready()) return;
    trimming_ = true;
    std::vector<std::string> argv = {"EVALSHA", redis_->script_sha("trim"), "0", config_.ns,
                                     std::to_string(support::wall_ms()), std::to_string(kTrimBatch)};
    append_retention(argv, config::QueueSettings{});
    for (const auto& [queue, settings] : config_.queue_settings) {
        argv.push_back(queue);
        append_retention(argv, settings);
    }
    redis_->command(argv, [this](const redisReply* reply, std::string_view error) {
        trimming_ = false;
        if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
            ONYX_LOG(warn, "retention trim failed: {}", redis::failure_text(reply, error));
            return;
        }
        if (reply->element[0]->integer > 0) ONYX_LOG(debug, "retention: removed {} records", reply->element[0]->integer);
        if (reply->element[1]->integer != 0) trim();  // a set was over by more than one batch
    });
}

void Watcher::stop() {
    ONYX_LOG(info, "watcher stopping ({} jobs promoted)", promoted_total_);
    support::notify_stopping("stopping");
    uv_timer_stop(&watchdog_timer_);
    uv_close(reinterpret_cast<uv_handle_t*>(&watchdog_timer_), nullptr);
    uv_timer_stop(&promote_timer_);
    uv_timer_stop(&recover_timer_);
    uv_close(reinterpret_cast<uv_handle_t*>(&promote_timer_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&recover_timer_), nullptr);
    for (auto& s : signals_) uv_close(reinterpret_cast<uv_handle_t*>(&s), nullptr);
    redis_->close([] {});
}

}  // namespace

int run_watcher(const config::Config& config) {
    return redis::run_daemon_loop(config, [&](uv_loop_t* loop, const common::RedisEndpoint& endpoint) {
        {
            Watcher watcher(loop, config, endpoint);
            watcher.start();
            uv_run(loop, UV_RUN_DEFAULT);
        }
        ONYX_LOG(info, "watcher stopped");
    });
}

}  // namespace onyx::watcher
