#include "worker/finisher.hpp"

#include "support/log.hpp"

#include <memory>

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
    send_batch();
}

namespace {

// One batch's outstanding replies and the attempts of the parts Redis did not accept.
struct BatchReplies {
    size_t pending = 0;
    std::vector<protocol::FinishedAttempt> unrecorded;
    std::string failure;
};

}  // namespace

void Finisher::send_batch() {
    std::vector<protocol::FinishedAttempt> completed, scripted;
    for (auto& a : in_flight_) {
        const bool plain = a.error_class.empty() && !a.resent && skip_check_ && skip_check_(a.claimed_at_ms);
        (plain ? completed : scripted).push_back(a);
    }
    const auto commands = protocol::completion_commands(ns_, completed);
    auto replies = std::make_shared<BatchReplies>();
    replies->pending = (commands.empty() ? 0 : 1) + (scripted.empty() ? 0 : 1);
    auto part_done = [this, replies](bool ok, std::string_view failure, std::vector<protocol::FinishedAttempt>& part) {
        if (!ok) {
            if (replies->failure.empty()) replies->failure = std::string(failure);
            for (auto& a : part) {
                a.resent = true;
                replies->unrecorded.push_back(std::move(a));
            }
        }
        if (--replies->pending == 0) batch_done(std::move(replies->unrecorded), replies->failure);
    };
    if (!commands.empty()) {
        auto part = std::make_shared<std::vector<protocol::FinishedAttempt>>(std::move(completed));
        for (size_t i = 0; i + 1 < commands.size(); ++i)
            bookkeeping_.command(commands[i], [](const redisReply*, std::string_view) {});
        // MULTI and the queued commands answer +OK/+QUEUED; a refused one makes EXEC fail whole.
        bookkeeping_.command(commands.back(), [part_done, part](const redisReply* reply, std::string_view error) {
            part_done(reply != nullptr && reply->type == REDIS_REPLY_ARRAY, redis::failure_text(reply, error), *part);
        });
    }
    if (!scripted.empty()) {
        auto part = std::make_shared<std::vector<protocol::FinishedAttempt>>(std::move(scripted));
        bookkeeping_.command(protocol::finish_arguments(bookkeeping_.script_sha("finish"), ns_, *part),
                             [part_done, part](const redisReply* reply, std::string_view error) {
                                 part_done(reply != nullptr && reply->type == REDIS_REPLY_INTEGER,
                                           redis::failure_text(reply, error), *part);
                             });
    }
}

// What Redis did not accept is kept, ahead of newer outcomes, and sent again once the link is
// back; always through the script then, which records only attempts still in processing, so
// a part that was applied but whose reply was lost is not counted twice.
void Finisher::batch_done(std::vector<protocol::FinishedAttempt> unrecorded, std::string_view failure) {
    recorded_ += in_flight_.size() - unrecorded.size();
    in_flight_.clear();
    if (unrecorded.empty()) {
        logged_error_ = false;
        if (on_recorded_) on_recorded_();
        flush();
        return;
    }
    if (!logged_error_) {
        ONYX_LOG(error, "recording {} finished attempts failed: {}; kept to retry", unrecorded.size(), failure);
        logged_error_ = true;
    }
    unrecorded.insert(unrecorded.end(), std::make_move_iterator(queued_.begin()), std::make_move_iterator(queued_.end()));
    queued_ = std::move(unrecorded);
}

}  // namespace onyx::worker
