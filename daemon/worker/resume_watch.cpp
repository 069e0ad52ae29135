#include "worker/resume_watch.hpp"

#include "support/log.hpp"

#include <utility>

namespace onyx::worker {

ResumeWatch::ResumeWatch(uv_loop_t* loop, redis::AsyncConnection& bookkeeping, std::string paused_key,
                         std::vector<std::string> queues, std::function<void(const std::vector<size_t>&)> on_resumed)
    : bookkeeping_(bookkeeping), paused_key_(std::move(paused_key)), queues_(std::move(queues)),
      on_resumed_(std::move(on_resumed)) {
    uv_timer_init(loop, &timer_);
    timer_.data = this;
}

void ResumeWatch::watch(const std::vector<bool>& paused) {
    if (closing_) return;
    watched_.clear();
    for (size_t i = 0; i < paused.size() && i < queues_.size(); ++i)
        if (paused[i]) watched_.push_back(i);
    if (watched_.empty()) return stop();
    if (uv_is_active(reinterpret_cast<uv_handle_t*>(&timer_))) return;
    uv_timer_start(&timer_, [](uv_timer_t* t) { static_cast<ResumeWatch*>(t->data)->check(); }, kResumeCheckMs,
                   kResumeCheckMs);
}

void ResumeWatch::stop() {
    watched_.clear();
    uv_timer_stop(&timer_);
}

void ResumeWatch::check() {
    // Not connected: the claim after the reconnect reports the paused queues anyway.
    if (check_in_flight_ || watched_.empty() || !bookkeeping_.ready()) return;
    std::vector<std::string> argv = {"SMISMEMBER", paused_key_};
    for (size_t i : watched_) argv.push_back(queues_[i]);
    check_in_flight_ = true;
    bookkeeping_.command(argv, [this, asked = watched_](const redisReply* reply, std::string_view error) {
        check_in_flight_ = false;
        if (closing_) return;
        if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements != asked.size()) {
            // The worker's tick claims regardless, so a resume is still noticed, only later.
            if (!logged_error_)
                ONYX_LOG(warn, "checking paused queues for a resume failed: {}", redis::failure_text(reply, error));
            logged_error_ = true;
            return;
        }
        logged_error_ = false;
        std::vector<size_t> resumed;
        for (size_t k = 0; k < asked.size(); ++k) {
            const redisReply* member = reply->element[k];
            if (member->type == REDIS_REPLY_INTEGER && member->integer == 0) resumed.push_back(asked[k]);
        }
        if (!resumed.empty()) on_resumed_(resumed);
    });
}

void ResumeWatch::close(std::function<void()> done) {
    closing_ = true;
    on_closed_ = std::move(done);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), [](uv_handle_t* h) {
        auto* self = static_cast<ResumeWatch*>(h->data);
        if (self->on_closed_) self->on_closed_();
    });
}

}  // namespace onyx::worker
