// Records finished attempts in Redis in batches: whatever finished while the previous batch
// was in flight goes in the next finish-script call. A batch that Redis did not accept is kept
// and sent again once the connection is back, so no outcome is lost to an outage.
#pragma once

#include "protocol/attempt_records.hpp"
#include "redis/async_connection.hpp"
#include "support/repeated_failure.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace onyx::worker {

/// Loop thread only.
class Finisher {
public:
    /// `bookkeeping` runs the finish script; `ns` is the key namespace.
    Finisher(redis::AsyncConnection& bookkeeping, std::string ns);

    /// Queues one finished attempt and sends a batch if none is in flight.
    void add(protocol::FinishedAttempt attempt);

    /// Sends the queued attempts if the connection is ready and no batch is in flight.
    /// Call when the connection comes back up.
    void flush();

    /// True when every added attempt has been recorded by Redis.
    bool drained() const { return queued_.empty() && in_flight_.empty(); }

    /// Called each time a batch is recorded (e.g. to check whether shutdown may finish).
    void on_recorded(std::function<void()> callback) { on_recorded_ = std::move(callback); }

    /// Attempt ids added but not yet recorded by Redis.
    std::vector<std::string> pending_attempt_ids() const;

    /// Attempts recorded so far by this process.
    uint64_t recorded() const { return recorded_; }

private:
    static constexpr size_t kMaxBatch = 500;

    redis::AsyncConnection& bookkeeping_;
    std::string ns_;
    std::vector<protocol::FinishedAttempt> queued_;
    std::vector<protocol::FinishedAttempt> in_flight_;
    std::function<void()> on_recorded_;
    uint64_t recorded_ = 0;
    support::RepeatedFailure record_failure_{"recording finished attempts"}; ///< logged at start, once a minute, at the end
};

}  // namespace onyx::worker
