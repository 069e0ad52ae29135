#include "worker/finisher.hpp"

#include "support/log.hpp"

namespace onyx::worker {

Finisher::Finisher(redis::AsyncConnection& bookkeeping, std::string ns)
    : bookkeeping_(bookkeeping), ns_(std::move(ns)) {}

std::vector<std::string> Finisher::pending_attempt_ids() const {
    std::vector<std::string> ids;
    for (const auto& a : queued_) ids.push_back(a.attempt_id);
    for (const auto& a : in_flight_) ids.push_back(a.attempt_id);
    return ids;
}

void Finisher::add(protocol::FinishedAttempt attempt) {
    queued_.push_back(std::move(attempt));
    flush();
}

void Finisher::flush() {
    if (!in_flight_.empty() || queued_.empty() || !bookkeeping_.ready()) return;
    if (queued_.size() <= kMaxBatch) {
        in_flight_.swap(queued_);
    } else {
        in_flight_.assign(std::make_move_iterator(queued_.begin()),
                          std::make_move_iterator(queued_.begin() + kMaxBatch));
        queued_.erase(queued_.begin(), queued_.begin() + kMaxBatch);
    }
    bookkeeping_.command(
        protocol::finish_arguments(bookkeeping_.script_sha("finish"), ns_, in_flight_),
        [this](const redisReply* reply, std::string_view error) {
            if (reply != nullptr && reply->type == REDIS_REPLY_INTEGER) {
                recorded_ += in_flight_.size();
                in_flight_.clear();
                support::log_success(record_failure_);
                if (on_recorded_) on_recorded_();
                flush();
                return;
            }
            // Keep the batch (first, to keep order) and send it again when the link is back.
            support::log_failure(record_failure_, fmt::format("{}; {} kept to retry", redis::failure_text(reply, error),
                                                              in_flight_.size()));
            in_flight_.insert(in_flight_.end(), std::make_move_iterator(queued_.begin()),
                              std::make_move_iterator(queued_.end()));
            queued_ = std::move(in_flight_);
            in_flight_.clear();
        });
}

}  // namespace onyx::worker
