#include "worker/worker_daemon.hpp"

#include "plugins/job_invocation.hpp"
#include "plugins/utf8_truncate.hpp"
#include "protocol/client_name.hpp"
#include "protocol/scripts.hpp"
#include "protocol/time_text.hpp"
#include "support/clock.hpp"
#include "support/log.hpp"
#include "support/systemd_notify.hpp"
#include "worker/class_retries.hpp"
#include "worker/job_policy.hpp"

#include <onyx_common/uuid.hpp>

#include <fmt/ranges.h>

#include <algorithm>
#include <random>

namespace onyx::worker::detail {

Worker::Worker(uv_loop_t* loop, const config::Config& config, plugins::PluginSet& plugins,
               common::RedisEndpoint endpoint)
    : loop_(loop), config_(config), plugins_(plugins), registry_(plugins.current()), endpoint_(std::move(endpoint)),
      keys_(config.ns), slots_({config.concurrency, config.prefetch, config.claim_batch, config.adaptive_prefetch}) {
    info_ = {config.ns, common::new_uuid(), config.queues, config.concurrency,
             support::wall_ms(), config.lease_ms};
}

redis::AsyncOptions Worker::connection_options(std::string label, std::string name) const {
    redis::AsyncOptions options;
    options.endpoint = endpoint_;
    options.label = std::move(label);
    options.client_name = std::move(name);
    options.connect_timeout_ms = config_.connect_timeout_ms;
    options.command_timeout_ms = config_.command_timeout_ms;
    // A watcher gives workers one lease after it reconnects: come back well within it.
    options.reconnect_cap_ms = std::min(options.reconnect_cap_ms, std::max<int64_t>(config_.lease_ms / 2, 100));
    return options;
}

void Worker::start() {
    for (size_t i = 0; i < config_.queues.size(); ++i) {
        // The main connection carries the original's worker name; the others only wake us.
        std::string name = i == 0 ? protocol::worker_client_name(config_.queues) : "";
        wake_.push_back(std::make_unique<redis::AsyncConnection>(
            loop_, connection_options(i == 0 ? "main" : "wake " + config_.queues[i], name)));
    }
    auto options = connection_options("bookkeeping", "");
    options.scripts = {protocol::kClaimScript, protocol::kFinishScript, protocol::kHandBackScript,
                       protocol::kOrphansScript, protocol::kUnreserveScript, protocol::kHeartbeatScript};
    bookkeeping_ = std::make_unique<redis::AsyncConnection>(loop_, options);

    pool_ = std::make_unique<ExecutorPool>(loop_, slots_.limits().concurrency, [this] { on_runs_finished(); });
    finisher_ = std::make_unique<Finisher>(*bookkeeping_, config_.ns);
    finisher_->on_recorded([this] { check_stop(); });
    std::vector<redis::AsyncConnection*> wake;
    for (auto& c : wake_) wake.push_back(c.get());
    ClaimSettings settings{config_.ns, info_.worker_id, config_.queues, 2000};
    claimer_ = std::make_unique<Claimer>(loop_, settings, *bookkeeping_, wake, slots_,
                                         [this](std::vector<protocol::ClaimedJob> jobs) { on_claimed(std::move(jobs)); });

    for (size_t i = 0; i < wake_.size(); ++i) {
        wake_[i]->on_ready([this, i](int64_t id) {
            if (i == 0) on_main_ready(id);
            claimer_->wake_link_ready(i);
        });
    }
    bookkeeping_->on_ready([this](int64_t) { on_bookkeeping_ready(); });

    uv_timer_init(loop_, &tick_timer_);
    tick_timer_.data = this;
    uv_timer_start(&tick_timer_, [](uv_timer_t* t) { static_cast<Worker*>(t->data)->tick(); },
                   static_cast<uint64_t>(config_.heartbeat_interval_ms), static_cast<uint64_t>(config_.heartbeat_interval_ms));
    uv_timer_init(loop_, &stop_timer_);
    stop_timer_.data = this;
    uv_timer_init(loop_, &timeout_timer_);
    timeout_timer_.data = this;
    uv_timer_start(&timeout_timer_, [](uv_timer_t* t) { static_cast<Worker*>(t->data)->check_timeouts(); },
                   kTimeoutCheckMs, kTimeoutCheckMs);
    const int signums[] = {SIGTERM, SIGINT, SIGTSTP, SIGUSR1, SIGHUP};
    for (int i = 0; i < 5; ++i) {
        uv_signal_init(loop_, &signals_[i]);
        signals_[i].data = this;
        uv_signal_start(&signals_[i], [](uv_signal_t* s, int signum) { static_cast<Worker*>(s->data)->on_signal(signum); },
                        signums[i]);
    }
    support::start_watchdog(loop_, &watchdog_timer_);
    for (auto& c : wake_) c->start();
    bookkeeping_->start();
    ONYX_LOG(info, "worker {} starting: queues {}, concurrency {}, {} job classes, Redis {}", info_.worker_id,
             fmt::join(config_.queues, ","), config_.concurrency, registry_->classes().size(), endpoint_.redacted());
}

void Worker::on_main_ready(int64_t client_id) {
    // The original's tools pair the bookkeeping connection with the main one by this name.
    bookkeeping_->set_client_name(protocol::fiber_client_name(client_id));
}

void Worker::adopt_orphans() {
    std::vector<std::string> known = pool_->held_attempt_ids();
    for (auto& id : finisher_->pending_attempt_ids()) known.push_back(std::move(id));
    claimer_->adopt_orphans(std::move(known));
}

void Worker::on_bookkeeping_ready() {
    if (wake_[0]->ready()) bookkeeping_->set_client_name(protocol::fiber_client_name(wake_[0]->client_id()));
    // Register before the first claim: a watcher must never see an attempt of an unknown worker.
    beat();
    std::vector<std::string> sadd = {"SADD", keys_.queues()};
    sadd.insert(sadd.end(), config_.queues.begin(), config_.queues.end());
    bookkeeping_->command(sadd, [](const redisReply*, std::string_view) {});
    publish_class_retries();
    ONYX_LOG(info, "worker {} ready: wrk {}", info_.worker_id, bookkeeping_->client_id());
    finisher_->flush();
    adopt_orphans();
    claimer_->read_again();
    claimer_->poke();
    if (!notified_ready_) {
        notified_ready_ = true;
        support::notify_ready(status_line());
    }
}

void Worker::publish_class_retries() {
    if (!bookkeeping_->ready()) return;  // on_bookkeeping_ready publishes again
    for (auto& command : class_retry_commands(config_.ns, *registry_)) {
        bookkeeping_->command(command, [this](const redisReply* reply, std::string_view error) {
            // A dropped link is logged by the connection; a refusal once until a publish succeeds.
            if (reply == nullptr) return;
            const bool refused = reply->type == REDIS_REPLY_ERROR;
            if (refused && !logged_publish_error_)
                ONYX_LOG(warn, "could not publish the plugin classes' retry limits for the watcher: {}",
                         redis::failure_text(reply, error));
            logged_publish_error_ = refused;
        });
    }
}

void Worker::on_claimed(std::vector<protocol::ClaimedJob> jobs) {
    if (phase_ == Phase::stopping || phase_ == Phase::stopped) {
        // Claimed before the stop, read after it: give them back at once, unstarted.
        hand_back_unstarted(jobs);
        return check_stop();
    }
    std::vector<std::unique_ptr<JobRun>> runs;
    runs.reserve(jobs.size());
    for (auto& job : jobs) dispatch(std::move(job), runs);
    pool_->submit_many(std::move(runs));
}

void Worker::dispatch(protocol::ClaimedJob job, std::vector<std::unique_ptr<JobRun>>& runs) {
    slots_.hold(1);
    ONYX_LOG(debug, "[{}] Attempting (attempt {}, queue {})", job.job_id, job.attempt_id, job.queue);
    if (!job.read_error.empty()) {
        std::string message = std::move(job.read_error);
        const std::string_view error_class = job.read_error_class;
        return finish_without_running(std::move(job), error_class, std::move(message));
    }
    if (!job.job_exists) {
        std::string message = fmt::format("job hash {} does not exist", keys_.job(job.job_id));
        return finish_without_running(std::move(job), protocol::errors::kJobNotFound, std::move(message));
    }
    if (!job.job_class || job.job_class->empty()) {
        std::string message = fmt::format("job hash {} has no cls (job class)", keys_.job(job.job_id));
        return finish_without_running(std::move(job), protocol::errors::kInvalidJob, std::move(message));
    }
    const plugins::JobClass* job_class = registry_->find(*job.job_class);
    if (job_class == nullptr) {
        std::string message = fmt::format("no loaded plugin provides job class '{}'", *job.job_class);
        return finish_without_running(std::move(job), protocol::errors::kUnknownJobClass, std::move(message));
    }
    auto run = std::make_unique<JobRun>();
    run->timeout_ms = timeout_for(config_, job, *job_class);
    run->job = std::move(job);
    run->job_class = job_class;
    run->registry = registry_;
    runs.push_back(std::move(run));
}

void Worker::finish_without_running(protocol::ClaimedJob job, std::string_view error_class, std::string message) {
    ONYX_LOG(error, "[{}] {}: {}", job.job_id, error_class, message);
    JobRun run;
    run.outcome = {false, std::string(error_class), std::move(message)};
    run.finished_at_ms = support::wall_ms();
    record(job, run);
    slots_.release(1);
    slots_.note_finished(1, support::monotonic_ms());
}

// Writes the attempt's outcome; a failure is retried or dead per policy. The slot is released
// by the caller: a timed-out run keeps its slot until its thread returns.
void Worker::record(const protocol::ClaimedJob& job, const JobRun& run) {
    ++done_;
    // Messages the worker writes itself (UnknownJobClass naming a producer's class, ...) are
    // held to the same 1 KiB as a handler's.
    protocol::FinishedAttempt attempt{job.queue, job.attempt_id, job.job_id, run.finished_at_ms,
                                      run.processing_ms, run.outcome.ok ? std::string() : run.outcome.error_class,
                                      std::string(plugins::truncate_utf8(run.outcome.error_message,
                                                                         plugins::kMaxErrorMessageBytes)),
                                      std::nullopt};
    if (!run.outcome.ok) {
        thread_local std::mt19937_64 rng{std::random_device{}()};
        const double random01 = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
        attempt.retry_at_ms = retry_time(config_, job, run.job_class, run.outcome.error_class, run.finished_at_ms, random01);
        if (attempt.retry_at_ms) {
            ONYX_LOG(info, "[{}] retry {} at {}", job.job_id, job.failed_before + 1,
                     protocol::format_time_ms(*attempt.retry_at_ms));
        } else if (job.job_class) {
            ONYX_LOG(warn, "[{}] dead after {} attempts: {}", job.job_id, job.failed_before + 1, run.outcome.error_class);
        }
    }
    finisher_->add(std::move(attempt));
}

void Worker::on_runs_finished() {
    auto finished = pool_->take_finished();
    slots_.note_finished(static_cast<int>(finished.size()), support::monotonic_ms());
    for (auto& run : finished) {
        slots_.release(1);
        if (run->timed_out) {
            ONYX_LOG(warn, "[{}] handler returned {:.0f} ms after its timeout; its outcome is dropped",
                     run->job.job_id, run->processing_ms - static_cast<double>(run->timeout_ms));
            continue;
        }
        if (run->outcome.ok) {
            ONYX_LOG(debug, "[{}] Completed in {:.3f} ms", run->job.job_id, run->processing_ms);
        } else {
            ONYX_LOG(error, "[{}] {} failed: {}: {}", run->job.job_id, *run->job.job_class, run->outcome.error_class,
                     run->outcome.error_message);
        }
        record(run->job, *run);
    }
    claimer_->poke();
    check_stop();
}

void Worker::check_timeouts() {
    for (JobRun* run : pool_->take_expired(support::monotonic_us())) {
        ONYX_LOG(error, "[{}] {} timed out after {} ms; cancellation requested, its slot stays taken until the "
                 "handler returns", run->job.job_id, *run->job.job_class, run->timeout_ms);
        JobRun outcome;
        outcome.job_class = run->job_class;
        outcome.outcome = {false, std::string(protocol::errors::kTimeout),
                           fmt::format("ran longer than its timeout of {} ms", run->timeout_ms)};
        outcome.finished_at_ms = support::wall_ms();
        outcome.processing_ms = static_cast<double>(run->timeout_ms);
        record(run->job, outcome);
    }
}

void Worker::beat() {
    // One snapshot gives both: `busy` is the number of attempts in `run`.
    std::vector<std::string> running = pool_->running_attempt_ids();
    const int busy = static_cast<int>(running.size());
    send_heartbeat(*bookkeeping_, info_, {busy, std::move(running), done_, std::string(phase_name(phase_))},
                   heartbeat_refused_);
}

void Worker::tick() {
    beat();
    support::notify_status(status_line());
    finisher_->flush();
    if (phase_ == Phase::running) claimer_->tick();
}

}  // namespace onyx::worker::detail
