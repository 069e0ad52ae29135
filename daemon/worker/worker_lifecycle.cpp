#include "worker/worker_daemon.hpp"

#include "protocol/attempt_records.hpp"
#include "support/clock.hpp"
#include "support/log.hpp"
#include "support/systemd_notify.hpp"

#include <fmt/ranges.h>

#include <csignal>
#include <unistd.h>

namespace onyx::worker::detail {

void Worker::on_signal(int signum) {
    if (signum == SIGTSTP || signum == SIGUSR1) return go_quiet();
    if (signum == SIGHUP) return reload_plugins();
    if (signum == SIGINT && ++interrupts_ > 1) {
        ONYX_LOG(warn, "second SIGINT: exiting now; running jobs will be recovered by a watcher");
        _exit(1);
    }
    begin_stop();
}

void Worker::reload_plugins() {
    // dlopen and init run on the loop; a reload is rare and operator-driven. PluginSet logs
    // the outcome; a failed reload keeps the current set.
    if (!reread_plugin_settings()) return;
    if (plugins_.reload().ok) {
        registry_ = plugins_.current();
        publish_class_retries();
    }
}

// The [plugin.<name>] sections are the one part of the config file a reload applies (every
// other key needs a restart, configuration.md): read the file again and hand the plugins its
// sections. A file that no longer loads refuses the whole reload, as a broken plugin does.
bool Worker::reread_plugin_settings() {
    const auto& file = config_.file_keys;
    if (file.path.empty()) return true;
    try {
        const config::Config fresh = config::load_config(file.path, file.required);
        plugins_.set_options({config_.strict_plugins, fresh.plugin_settings});
        return true;
    } catch (const config::ConfigError& e) {
        ONYX_LOG(error, "plugin reload refused: the config file does not load: {}; the plugins and settings "
                 "loaded before keep running", e.what());
        return false;
    }
}

std::string Worker::status_line() const {
    return fmt::format("{}: {}/{} busy, {} jobs done, queues {}{}", phase_name(phase_), pool_->running(),
                       config_.concurrency, done_, fmt::join(config_.queues, ","),
                       bookkeeping_->ready() ? "" : ", waiting for Redis");
}

void Worker::go_quiet() {
    if (phase_ != Phase::running) return;
    phase_ = Phase::quiet;
    slots_.stop_claiming();
    claimer_->pause([](bool) {});
    ONYX_LOG(info, "worker {} quiet: no new jobs are claimed; SIGTERM stops it", info_.worker_id);
}

void Worker::begin_stop() {
    if (phase_ == Phase::stopping || phase_ == Phase::stopped) return;
    phase_ = Phase::stopping;
    slots_.stop_claiming();
    claimer_->pause([this](bool gave_back) {
        wakes_drained_ = true;
        if (!gave_back) keep_registration_ = true;
        check_stop();
    });
    support::notify_stopping(status_line());
    ONYX_LOG(info, "worker {} stopping: {} jobs running, waiting up to {} ms", info_.worker_id, pool_->running(),
             config_.shutdown_timeout_ms);
    // Jobs claimed but not started go back at once; the BLMOVEs are dropped with the links.
    auto unstarted = pool_->take_unstarted();
    std::vector<protocol::ClaimedJob> jobs;
    for (auto& run : unstarted) jobs.push_back(run->job);
    slots_.release(static_cast<int>(unstarted.size()));
    hand_back_unstarted(jobs);
    uv_timer_start(&stop_timer_, [](uv_timer_t* t) { static_cast<Worker*>(t->data)->hand_back_and_exit(); },
                   static_cast<uint64_t>(config_.shutdown_timeout_ms), 0);
    check_stop();
}

void Worker::hand_back_unstarted(const std::vector<protocol::ClaimedJob>& jobs) {
    if (jobs.empty()) return;
    bookkeeping_->command(protocol::hand_back_arguments(bookkeeping_->script_sha("hand_back"), config_.ns,
                                                        support::wall_ms(), protocol::errors::kShutdown,
                                                        "worker stopped before the job started", false, jobs),
                          [this](const redisReply* reply, std::string_view error) { note_hand_back(reply, error); });
}

void Worker::check_stop() {
    if (phase_ != Phase::stopping || handing_back_ || !wakes_drained_) return;
    // Jobs whose hashes are still being read come back through on_claimed, which hands them back;
    // so do orphans adopted before the stop, and the orphans call hands back the others.
    const bool answer_due = slots_.reading() > 0 || !claimer_->orphans_settled();
    if (slots_.held() > 0 || (answer_due && bookkeeping_->ready()) || !(finisher_->drained() || !bookkeeping_->ready()))
        return;
    uv_timer_stop(&stop_timer_);
    close_everything();
}

void Worker::hand_back_and_exit() {
    handing_back_ = true;
    pool_->cancel_running();
    auto jobs = pool_->running_jobs();
    ONYX_LOG(warn, "shutdown timeout: handing {} running jobs back to their queues", jobs.size());
    if (!bookkeeping_->ready()) keep_registration_ = true;
    if (jobs.empty() || !bookkeeping_->ready()) return close_everything();
    bookkeeping_->command(protocol::hand_back_arguments(bookkeeping_->script_sha("hand_back"), config_.ns,
                                                        support::wall_ms(), protocol::errors::kShutdown,
                                                        "worker stopped before the job finished", false, jobs),
                          [this](const redisReply* reply, std::string_view error) {
                              note_hand_back(reply, error);
                              close_everything();
                          });
}

void Worker::note_hand_back(const redisReply* reply, std::string_view error) {
    if (reply != nullptr && reply->type == REDIS_REPLY_INTEGER) return;
    ONYX_LOG(error, "handing jobs back failed: {}; a watcher recovers them when this worker's lease ends",
             redis::failure_text(reply, error));
    keep_registration_ = true;
}

void Worker::close_everything() {
    if (phase_ == Phase::stopped) return;
    if (!finisher_->drained() && bookkeeping_->ready() && !waited_for_finisher_) {
        // Outcomes not yet written would otherwise be lost with the process: wait for them,
        // but at most kFinisherGraceMs, so a Redis that refuses writes cannot hold the exit.
        waited_for_finisher_ = true;
        finisher_->on_recorded([this] {
            if (finisher_->drained()) close_everything();
        });
        finisher_->flush();
        uv_timer_start(&stop_timer_, [](uv_timer_t* t) { static_cast<Worker*>(t->data)->close_everything(); },
                       kFinisherGraceMs, 0);
        return;
    }
    phase_ = Phase::stopped;
    uv_timer_stop(&tick_timer_);
    uv_timer_stop(&stop_timer_);
    uv_timer_stop(&timeout_timer_);
    uv_close(reinterpret_cast<uv_handle_t*>(&timeout_timer_), nullptr);
    uv_timer_stop(&watchdog_timer_);
    uv_close(reinterpret_cast<uv_handle_t*>(&watchdog_timer_), nullptr);
    for (auto& s : signals_) uv_close(reinterpret_cast<uv_handle_t*>(&s), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&tick_timer_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&stop_timer_), nullptr);
    auto close_links = [this] {
        for (auto& c : wake_) c->close([] {});
        bookkeeping_->close([] {});
        pool_->close([] {});
        claimer_->close([] {});
    };
    if (!bookkeeping_->ready()) return close_links();
    // Attempts of a claim whose job hashes are still being read are known to no one else, and
    // so are orphans the orphans call did not settle.
    if (slots_.reading() > 0 || !claimer_->orphans_settled()) keep_registration_ = true;
    if (keep_registration_ || !finisher_->drained()) {
        ONYX_LOG(warn, "worker {} leaves its registry entry to expire: a watcher recovers what was not handed back",
                 info_.worker_id);
    } else {
        for (auto& argv : unregister_commands(info_)) bookkeeping_->command(argv, [](const redisReply*, std::string_view) {});
    }
    bookkeeping_->command({"PING"}, [close_links](const redisReply*, std::string_view) { close_links(); });
}

}  // namespace onyx::worker::detail
