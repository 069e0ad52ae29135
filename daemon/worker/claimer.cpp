#include "worker/claimer.hpp"

#include "protocol/unreserve_call.hpp"
#include "redis/reply_values.hpp"
#include "support/clock.hpp"
#include "support/log.hpp"

#include <onyx_background/keys.hpp>
#include <onyx_common/uuid.hpp>

#include <algorithm>
#include <memory>
#include <utility>

namespace onyx::worker {

Claimer::Claimer(uv_loop_t* loop, ClaimSettings settings, redis::AsyncConnection& bookkeeping,
                 std::vector<redis::AsyncConnection*> wake, SlotBudget& slots,
                 std::function<void(std::vector<protocol::ClaimedJob>)> on_claimed)
    : settings_(std::move(settings)), bookkeeping_(bookkeeping), wake_(std::move(wake)),
      armed_(wake_.size(), false), unblocking_(wake_.size(), false), queue_paused_(wake_.size(), false),
      slots_(slots), on_claimed_(std::move(on_claimed)),
      resume_watch_(loop, bookkeeping, onyx_background::Keys(settings_.ns).paused(), settings_.queues,
                    [this](const std::vector<size_t>& resumed) { on_resumed(resumed); }) {}

void Claimer::poke() {
    if (paused_ || claim_in_flight_ || !bookkeeping_.ready()) return;
    const int count = slots_.claim_size(support::monotonic_ms());
    if (count <= 0) return;
    claim(count);
}

void Claimer::claim(int count) {
    std::vector<std::string> attempt_ids = common::new_uuids(static_cast<size_t>(count));
    const int64_t now_ms = support::wall_ms();
    claim_in_flight_ = true;
    // Built before the ids move into the callback (argument evaluation order is unspecified).
    auto argv = protocol::claim_arguments(bookkeeping_.script_sha("claim"), settings_.ns, settings_.worker_id,
                                          bookkeeping_.client_id(), now_ms, settings_.queues, attempt_ids);
    bookkeeping_.command(
        argv,
        [this, count, now_ms, attempt_ids = std::move(attempt_ids)](const redisReply* reply, std::string_view error) {
            claim_in_flight_ = false;
            std::vector<protocol::ReplyValue> values;
            protocol::ClaimResult result;
            std::string problem;
            if (!redis::array_reply_values(reply, error, values, problem) ||
                !protocol::parse_claim_reply(values, settings_.queues, attempt_ids, now_ms, result, problem))
                return on_claim_failed(problem, count);
            support::log_success(claim_failure_);
            note_paused(result.paused);
            if (result.jobs.empty()) return claimed({}, count);
            read_jobs(std::move(result.jobs), count);
        });
}

namespace {

// What a batch of HGETALLs collects; shared by their reply handlers.
struct JobReads {
    std::vector<protocol::ClaimedJob> jobs;
    std::vector<bool> lost; ///< no reply: the link dropped
    size_t pending = 0;
    std::string lost_reason;
};

}  // namespace

std::vector<std::string> Claimer::unread_attempt_ids() const {
    std::vector<std::string> ids;
    for (const auto& job : unread_) ids.push_back(job.attempt_id);
    return ids;
}

void Claimer::adopt_orphans(std::vector<std::string> known) {
    if (!bookkeeping_.ready()) return;
    for (auto& id : unread_attempt_ids()) known.push_back(std::move(id));
    const int room = slots_.hold_orphan_room();
    orphans_settled_ = false;
    bookkeeping_.command(
        protocol::orphans_arguments(bookkeeping_.script_sha("orphans"), settings_.ns, settings_.worker_id,
                                    support::wall_ms(),
                                    "the worker never got the reply of the claim that made this attempt and could "
                                    "not take it over (it was not running, or had no free slot)",
                                    room, settings_.queues, known),
        [this, room](const redisReply* reply, std::string_view error) {
            slots_.release_orphan_room(room);
            on_orphans_reply(reply, error);
            poke();
        });
}

void Claimer::on_orphans_reply(const redisReply* reply, std::string_view error) {
    if (reply == nullptr) return;  // the link dropped again: the next reconnect asks again
    std::vector<protocol::ReplyValue> values;
    protocol::OrphansResult result;
    std::string problem;
    if (!redis::array_reply_values(reply, error, values, problem) ||
        !protocol::parse_orphans_reply(values, settings_.queues, result, problem)) {
        ONYX_LOG(error, "looking for attempts whose claim reply was lost failed: {}; asked again after the next "
                 "reconnect", problem);
        return;
    }
    orphans_settled_ = true;
    if (result.handed_back > 0)
        ONYX_LOG(warn, "handed back {} attempts whose claim reply was lost, as {}", result.handed_back,
                 protocol::errors::kClaimLost);
    if (result.adopted.empty()) return;
    ONYX_LOG(info, "took over {} attempts whose claim reply was lost", result.adopted.size());
    // Counted here like a claim's reads: read_jobs with 0 leaves the count to its caller.
    slots_.start_reading(static_cast<int>(result.adopted.size()));
    read_jobs(std::move(result.adopted), 0);
}

void Claimer::read_again() {
    if (unread_.empty() || !bookkeeping_.ready()) return;
    ONYX_LOG(info, "reading {} claimed job hashes again after the reconnect", unread_.size());
    read_jobs(std::exchange(unread_, {}), 0);
}

// `requested`: the count asked of the claim these jobs came from; 0 for a read again or adopted
// orphans, whose jobs the caller counted as reading and whose claim was followed up long ago.
void Claimer::read_jobs(std::vector<protocol::ClaimedJob> jobs, int requested) {
    const onyx_background::Keys keys(settings_.ns);
    auto reads = std::make_shared<JobReads>();
    reads->pending = jobs.size();
    reads->lost.assign(jobs.size(), false);
    reads->jobs = std::move(jobs);
    if (requested > 0) slots_.start_reading(static_cast<int>(reads->jobs.size()));
    for (size_t i = 0; i < reads->jobs.size(); ++i) {
        std::string key = keys.job(reads->jobs[i].job_id);
        bookkeeping_.command({"HGETALL", key}, [this, reads, i, requested, key](const redisReply* reply,
                                                                            std::string_view error) {
            protocol::ClaimedJob& job = reads->jobs[i];
            if (reply != nullptr && reply->type == REDIS_REPLY_ARRAY) {
                std::vector<std::string_view> fields;
                fields.reserve(reply->elements);
                for (size_t e = 0; e < reply->elements; ++e)
                    fields.emplace_back(reply->element[e]->str != nullptr ? reply->element[e]->str : "",
                                        reply->element[e]->len);
                protocol::apply_job_hash(job, fields);
            } else if (reply != nullptr) {
                // The attempt exists and ends as a failure naming the key: final when the key is
                // not a hash, retried for anything else (BUSY, LOADING, MASTERDOWN, ...).
                const std::string_view text = redis::failure_text(reply, error);
                const bool not_a_hash = text.starts_with("WRONGTYPE");
                job.read_error = not_a_hash ? fmt::format("{} is not a job hash ({})", key, text)
                                            : fmt::format("reading {} failed: {}", key, text);
                job.read_error_class = not_a_hash ? protocol::errors::kInvalidJob : protocol::errors::kJobReadFailed;
            } else {
                reads->lost[i] = true;
                reads->lost_reason = std::string(error);
            }
            if (--reads->pending > 0) return;
            std::vector<protocol::ClaimedJob> ready;
            ready.reserve(reads->jobs.size());
            size_t lost = 0;
            for (size_t k = 0; k < reads->jobs.size(); ++k) {
                if (!reads->lost[k]) {
                    ready.push_back(std::move(reads->jobs[k]));
                    continue;
                }
                // The attempt exists and stays this worker's: read it again once the link is back.
                ++lost;
                unread_.push_back(std::move(reads->jobs[k]));
            }
            if (lost > 0)
                ONYX_LOG(warn, "reading {} claimed job hashes failed ({}); read again once Redis is reachable",
                         lost, reads->lost_reason);
            slots_.end_reading(static_cast<int>(ready.size()));
            if (requested == 0) {
                if (!ready.empty()) on_claimed_(std::move(ready));
                return;
            }
            claimed(std::move(ready), requested);
        });
    }
    // A full claim means a backlog: the next claim may go now, behind these reads on the same
    // connection, so its replies (and its jobs) come after them.
    if (requested > 0 && static_cast<int>(reads->jobs.size()) == requested) poke();
}

void Claimer::claimed(std::vector<protocol::ClaimedJob> jobs, int requested) {
    idle_ = static_cast<int>(jobs.size()) < requested;
    watch_for_resume();
    if (!jobs.empty()) on_claimed_(std::move(jobs));
    if (idle_) arm_wake();
    else poke();
}

void Claimer::on_claim_failed(std::string_view problem, int requested) {
    // A refused claim (-OOM, -READONLY, NOSCRIPT after a flush) took nothing: it is atomic.
    support::log_failure(claim_failure_, fmt::format("{} (asked for up to {} jobs)", problem, requested));
    // No BLMOVE now: it could move ids into the reservation list faster than failing claims
    // take them. The worker's periodic tick() claims again, so a lasting error costs one
    // claim per tick, never a busy loop.
    idle_ = false;
    watch_for_resume();
}

void Claimer::pause(std::function<void(bool gave_back)> drained) {
    paused_ = true;
    watch_for_resume();
    draining_ = true;
    on_drained_ = std::move(drained);
    drain_wakes();
}

// Unblocks every armed BLMOVE and waits for its reply: only then can no BLMOVE still move an
// id, and the unreserve that follows (same connection as the unblocks) catches what they
// moved. An UNBLOCK can reach Redis before its BLMOVE does; then it finds nothing and is sent
// again until the BLMOVE's reply is in.
void Claimer::drain_wakes() {
    if (!draining_) return;
    if (!bookkeeping_.ready()) return finish_drain(false);
    bool pending = false;
    for (size_t i = 0; i < wake_.size(); ++i) {
        if (!armed_[i]) continue;
        pending = true;
        if (unblocking_[i] || !wake_[i]->ready()) continue;
        unblocking_[i] = true;
        bookkeeping_.command({"CLIENT", "UNBLOCK", std::to_string(wake_[i]->client_id())},
                             [this, i](const redisReply*, std::string_view) {
                                 unblocking_[i] = false;
                                 drain_wakes();
                             });
    }
    if (pending) return;
    draining_ = false;
    const protocol::UnreserveCall call{settings_.ns, settings_.worker_id, settings_.queues};
    bookkeeping_.command(protocol::unreserve_arguments(bookkeeping_.script_sha("unreserve"), call),
                         [this](const redisReply* reply, std::string_view error) {
                             protocol::ReplyValue value;
                             protocol::UnreserveResult result;
                             std::string problem;
                             const bool ok = redis::single_reply_value(reply, error, value, problem) &&
                                             protocol::parse_unreserve_reply(value, result, problem);
                             if (ok && result.returned > 0)
                                 ONYX_LOG(info, "gave {} reserved jobs back to their queues", result.returned);
                             if (!ok) ONYX_LOG(error, "giving reserved jobs back failed: {}", problem);
                             finish_drain(ok);
                         });
}

void Claimer::finish_drain(bool gave_back) {
    draining_ = false;
    if (auto done = std::exchange(on_drained_, nullptr)) done(gave_back);
}

void Claimer::tick() {
    poke();
    if (idle_) arm_wake();
}

void Claimer::arm_wake() {
    for (size_t i = 0; i < wake_.size(); ++i) arm_one(i);
}

void Claimer::wake_link_ready(size_t index) {
    armed_[index] = false;
    if (idle_) arm_one(index);
    poke();
}

void Claimer::note_paused(const std::vector<bool>& paused) {
    for (size_t i = 0; i < paused.size() && i < queue_paused_.size(); ++i) set_queue_paused(i, paused[i]);
}

void Claimer::set_queue_paused(size_t index, bool paused) {
    if (paused != queue_paused_[index])
        ONYX_LOG(info, "queue {} {}", settings_.queues[index], paused ? "is paused: not claiming from it" : "resumed");
    queue_paused_[index] = paused;
}

// Only an idle worker needs the watch: a busy one claims again as soon as a slot frees, and
// each claim reports which queues are paused. A quiet or stopping one claims nothing.
void Claimer::watch_for_resume() {
    if (idle_ && !paused_) resume_watch_.watch(queue_paused_);
    else resume_watch_.stop();
}

void Claimer::on_resumed(const std::vector<size_t>& resumed) {
    for (size_t index : resumed) set_queue_paused(index, false);
    watch_for_resume();
    // The claim arms the resumed queue's BLMOVE if it leaves the worker idle. When it cannot
    // go now (a claim in flight, no free slot), that claim's reply or the next freed slot does.
    poke();
}

void Claimer::close(std::function<void()> done) { resume_watch_.close(std::move(done)); }

void Claimer::arm_one(size_t index) {
    // A paused queue gets no BLMOVE: it would move ids into the reservation list that the
    // claim then leaves alone until the queue resumes. The resume watch notices a resume.
    if (paused_ || queue_paused_[index] || armed_[index] || !wake_[index]->ready() || slots_.claim_size(support::monotonic_ms()) <= 0) return;
    const onyx_background::Keys keys(settings_.ns);
    const std::string& queue = settings_.queues[index];
    const int64_t block_ms = settings_.block_timeout_ms;
    armed_[index] = true;
    wake_[index]->command(
        {"BLMOVE", keys.ready(queue), keys.reserved(settings_.worker_id, queue), "LEFT", "RIGHT",
         fmt::format("{:.3f}", static_cast<double>(block_ms) / 1000.0)},
        [this, index](const redisReply* reply, std::string_view) {
            armed_[index] = false;
            if (paused_) return drain_wakes();
            if (reply == nullptr) return;  // link down: wake_link_ready re-arms
            if (reply->type == REDIS_REPLY_STRING) {
                idle_ = false;
                poke();
            } else if (reply->type == REDIS_REPLY_NIL) {
                if (idle_) arm_one(index);
                poke();
            } else {
                // An error reply (e.g. -OOM would not happen for a pure move; -READONLY may).
                ONYX_LOG(warn, "BLMOVE on queue {} failed: {}", settings_.queues[index],
                         std::string_view(reply->str, reply->len));
            }
        },
        block_ms);
}

}  // namespace onyx::worker
