#include "watcher/watcher.hpp"

#include "config/config_table.hpp"
#include "protocol/client_name.hpp"
#include "protocol/promote_call.hpp"
#include "protocol/recover_call.hpp"
#include "protocol/scripts.hpp"
#include "protocol/trim_call.hpp"
#include "redis/async_connection.hpp"
#include "redis/daemon_loop.hpp"
#include "redis/reply_values.hpp"
#include "support/clock.hpp"
#include "support/log.hpp"
#include "support/repeated_failure.hpp"
#include "support/systemd_notify.hpp"

#include <onyx_background/keys.hpp>
#include <onyx_common/redis_url.hpp>

#include <uv.h>

#include <algorithm>
#include <memory>

namespace onyx::watcher {
namespace {

// How often the scheduled sets are looked at when nothing is due sooner: bounds the lateness
// of a job scheduled less than this ahead of its time, since producers send no wake-up.
constexpr int64_t kPromotionScanMs = 10;

// Records removed per sorted set per trim call: bounds how long one call blocks Redis.
constexpr int kTrimBatch = 1000;

// Dead workers recovered per recover call: bounds how long one call blocks Redis.
constexpr int kRecoverBatch = 10;

// Reads the reply of a script that returns an array with `decode` (protocol/*_call.hpp).
// Returns false with `problem` set when there is no reply, an error reply or a malformed one.
template <typename Result>
bool decode_reply(const redisReply* reply, std::string_view error,
                  bool (*decode)(const std::vector<protocol::ReplyValue>&, Result&, std::string&), Result& out,
                  std::string& problem) {
    std::vector<protocol::ReplyValue> values;
    return redis::array_reply_values(reply, error, values, problem) && decode(values, out, problem);
}

protocol::RetentionPolicy retention_policy(const config::QueueSettings& settings) {
    return {settings.completed_ttl_ms, settings.max_completed, settings.failed_ttl_ms,
            settings.max_failed,       settings.dead_ttl_ms,   settings.max_dead};
}

protocol::TrimCall trim_call(const config::Config& config, int64_t now_ms) {
    protocol::TrimCall call{config.ns, now_ms, kTrimBatch, retention_policy(config::QueueSettings{}), {}};
    for (const auto& [queue, settings] : config.queue_settings)
        call.queue_policies.push_back({queue, retention_policy(settings)});
    return call;
}

protocol::RecoverCall recover_call(const config::Config& config, int64_t now_ms) {
    protocol::RecoverCall call{config.ns, now_ms, kRecoverBatch,
                               "the worker's lease expired: it stopped sending heartbeats",
                               config::QueueSettings{}.retries, {}};
    for (const auto& [queue, settings] : config.queue_settings) call.queue_retry_limits.push_back({queue, settings.retries});
    return call;
}

class Watcher {
public:
    Watcher(uv_loop_t* loop, const config::Config& config, common::RedisEndpoint endpoint);
    void start();

private:
    void register_queues();
    void note_write_failure(std::string_view problem);
    void note_write_success();
    void script_failed(support::RepeatedFailure& failure, std::string_view problem);
    void script_worked(support::RepeatedFailure& failure);
    void promote();
    void on_promoted(const protocol::PromoteResult& result);
    void schedule_promotion(int64_t delay_ms);
    void recover();
    void on_recovered(const protocol::RecoverResult& result);
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
    // Each repeating failure is logged when it starts, once a minute, and when it ends.
    support::RepeatedFailure promote_failure_{"promotion"};
    support::RepeatedFailure recover_failure_{"recovery of dead workers"};
    support::RepeatedFailure trim_failure_{"retention trim"};
    bool trimming_ = false;
    bool notified_ready_ = false;
    uv_timer_t watchdog_timer_{};
    int64_t connected_since_ms_ = -1; ///< monotonic ms of the last (re)connect or end of refused writes, -1 when down
    bool writes_refused_ = false;     ///< a write of ours was refused (READONLY, OOM, ...) and none has worked since
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
        register_queues();
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

// Promotion, recovery and trim cover the queues in <ns>:queues. Workers add theirs; the
// original's producers add none, so a watcher adds its own `queues` (-q) too, on every connect
// (SADD is idempotent), before its first promotion on that connection.
void Watcher::register_queues() {
    std::vector<std::string> sadd = {"SADD", onyx_background::Keys(config_.ns).queues()};
    sadd.insert(sadd.end(), config_.queues.begin(), config_.queues.end());
    redis_->command(sadd, [](const redisReply* reply, std::string_view error) {
        if (reply == nullptr || reply->type == REDIS_REPLY_ERROR)
            ONYX_LOG(warn, "registering the watcher's queues failed: {}; retried on the next connect",
                     redis::failure_text(reply, error));
    });
}

// While Redis refuses writes (a replica after a failover demotion, -OOM, -MISCONF), workers
// cannot renew their leases either, so a lease that ended meanwhile says nothing about the
// worker: such a period counts as a disconnection. Recovery stops until a write of ours works
// again, and then waits one lease, as after a reconnect, for the workers to beat again.
void Watcher::note_write_failure(std::string_view problem) {
    for (std::string_view refusal : {"READONLY", "OOM", "MISCONF", "NOREPLICAS", "MASTERDOWN", "NOTWRITABLE"})
        if (problem.find(refusal) != std::string_view::npos) writes_refused_ = true;
}

void Watcher::note_write_success() {
    if (!writes_refused_) return;
    writes_refused_ = false;
    connected_since_ms_ = support::monotonic_ms();
    ONYX_LOG(info, "Redis accepts writes again: judging worker leases again in {} ms", config_.lease_ms);
}

// Every script call of the watcher ends in one of these two: the log of its repeating failure,
// and the refused-writes state that gates recovery. (recover() runs only while writes are
// accepted, so its success never changes that state.)
void Watcher::script_failed(support::RepeatedFailure& failure, std::string_view problem) {
    support::log_failure(failure, problem);
    note_write_failure(problem);
}

void Watcher::script_worked(support::RepeatedFailure& failure) {
    note_write_success();
    support::log_success(failure);
}

void Watcher::schedule_promotion(int64_t delay_ms) {
    uv_timer_start(&promote_timer_, [](uv_timer_t* t) { static_cast<Watcher*>(t->data)->promote(); },
                   static_cast<uint64_t>(std::max<int64_t>(0, delay_ms)), 0);
}

void Watcher::promote() {
    if (promoting_ || !redis_->ready()) return;
    promoting_ = true;
    const protocol::PromoteCall call{config_.ns, support::wall_ms(), config_.promote_batch};
    redis_->command(protocol::promote_arguments(redis_->script_sha("promote"), call),
                    [this](const redisReply* reply, std::string_view error) {
                        promoting_ = false;
                        protocol::PromoteResult result;
                        std::string problem;
                        if (!decode_reply(reply, error, protocol::parse_promote_reply, result, problem)) {
                            script_failed(promote_failure_, problem);
                            return schedule_promotion(config_.watcher_interval_ms);
                        }
                        script_worked(promote_failure_);
                        on_promoted(result);
                    });
}

void Watcher::on_promoted(const protocol::PromoteResult& result) {
    promoted_total_ += static_cast<uint64_t>(result.promoted);
    if (result.promoted > 0) ONYX_LOG(debug, "promoted {} scheduled jobs", result.promoted);
    if (result.more_due) return schedule_promotion(0);
    int64_t delay = kPromotionScanMs;
    if (result.earliest_due_ms) delay = std::min(delay, *result.earliest_due_ms - support::wall_ms());
    schedule_promotion(delay);
}

void Watcher::recover() {
    if (recovering_ || !redis_->ready() || connected_since_ms_ < 0 || writes_refused_) return;
    // After a (re)connect, live workers get one lease to beat again before anyone is judged:
    // a Redis restart or outage must not make a live worker look dead.
    if (support::monotonic_ms() - connected_since_ms_ < config_.lease_ms) return;
    recovering_ = true;
    redis_->command(protocol::recover_arguments(redis_->script_sha("recover"), recover_call(config_, support::wall_ms())),
                    [this](const redisReply* reply, std::string_view error) {
                        recovering_ = false;
                        protocol::RecoverResult result;
                        std::string problem;
                        if (!decode_reply(reply, error, protocol::parse_recover_reply, result, problem)) {
                            script_failed(recover_failure_, problem);
                            return;
                        }
                        script_worked(recover_failure_);
                        on_recovered(result);
                    });
}

void Watcher::on_recovered(const protocol::RecoverResult& result) {
    if (result.workers == 0) return;
    ONYX_LOG(warn, "recovered {} dead workers: {} attempts failed with Worker Timeout (counted; {} of their jobs "
             "dead, the others requeued), {} not running at the last heartbeat put back uncounted (Worker Lost), {} "
             "reserved jobs returned",
             result.workers, result.attempts_counted, result.jobs_dead, result.attempts_uncounted,
             result.reserved_returned);
    recover();  // more dead workers than one batch
}

void Watcher::trim() {
    if (trimming_ || !redis_->ready()) return;
    trimming_ = true;
    redis_->command(protocol::trim_arguments(redis_->script_sha("trim"), trim_call(config_, support::wall_ms())),
                    [this](const redisReply* reply, std::string_view error) {
                        trimming_ = false;
                        protocol::TrimResult result;
                        std::string problem;
                        if (!decode_reply(reply, error, protocol::parse_trim_reply, result, problem)) {
                            script_failed(trim_failure_, problem);
                            return;
                        }
                        script_worked(trim_failure_);
                        if (result.removed > 0) ONYX_LOG(debug, "retention: removed {} records", result.removed);
                        if (result.more) trim();  // a set was over by more than one batch
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
    for (const auto& warning : config::unused_key_warnings(config, config::kUsedByWatcher)) ONYX_LOG(warn, "{}", warning);
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
