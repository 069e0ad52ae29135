// The Onyx::Background Redis key layout (shard v0.1.0-beta.2) plus onyx-background's own keys.
// This is the public contract of docs/protocol.md, written once here: the daemon, the CLI and
// the producer library all build key names through this header.
#pragma once

#include <string>
#include <string_view>

namespace onyx_background {

/// Default namespace of every key, as in the original shard.
inline constexpr std::string_view kDefaultNamespace = "onyx-background";

/// Builds `<ns>:<kind>:<id>` key names for one namespace. Pure, no I/O; thread-safe (immutable).
/// A queue name is used verbatim (any UTF-8 without `,` or control characters) and is never
/// parsed back out of a key.
class Keys {
public:
    /// `ns` is the namespace without a trailing `:` (e.g. "onyx-background").
    explicit Keys(std::string ns = std::string(kDefaultNamespace)) : ns_(std::move(ns)) {}

    /// The namespace this builder was made with.
    const std::string& ns() const { return ns_; }

    // --- keys of the original layout ---
    /// Hash `que cls arg qat [pat]` plus our extension fields (see docs/protocol.md).
    std::string job(std::string_view job_id) const { return make("jobs", job_id); }
    /// List of job ids, producers RPUSH, workers take from the left.
    std::string ready(std::string_view queue) const { return make("ready", queue); }
    /// Sorted set of job ids scored by due time (ms).
    std::string scheduled(std::string_view queue) const { return make("scheduled", queue); }
    /// Hash `sta job wrk que [fin tim err]` plus our extension fields.
    std::string attempt(std::string_view attempt_id) const { return make("attempts", attempt_id); }
    /// Set of attempt ids now running.
    std::string processing(std::string_view queue) const { return make("processing", queue); }
    /// Sorted set of attempt ids scored by `fin` (ms).
    std::string completed(std::string_view queue) const { return make("completed", queue); }
    /// Sorted set of attempt ids scored by failure time (ms).
    std::string failed(std::string_view queue) const { return make("failed", queue); }

    // --- onyx-background extensions (new keys only) ---
    /// Set of every queue name ever enqueued to or worked on.
    std::string queues() const { return ns_ + ":queues"; }
    /// Sorted set of live worker instance ids scored by lease expiry (ms).
    std::string workers() const { return ns_ + ":workers"; }
    /// Hash describing one worker instance (host, pid, queues, concurrency, ...).
    std::string worker(std::string_view worker_id) const { return make("worker", worker_id); }
    /// List of job ids a worker took off `ready:<q>` with BLMOVE and has not yet turned into
    /// attempts. Recovered by the watcher when the worker's lease expires.
    std::string reserved(std::string_view worker_id, std::string_view queue) const {
        std::string key = make("reserved", worker_id);
        key += ':';
        key += queue;
        return key;
    }
    /// Sorted set of job ids waiting for a retry, scored by the retry time (ms); promoted to
    /// `ready:<q>` by the watcher like `scheduled:<q>`.
    std::string retry(std::string_view queue) const { return make("retry", queue); }
    /// Set of paused queue names: workers do not claim from them.
    std::string paused() const { return ns_ + ":paused"; }
    /// Sorted set of job ids that exhausted their retries, scored by time of death (ms).
    std::string dead(std::string_view queue) const { return make("dead", queue); }
    /// Hash of job id -> the id of the job's latest attempt, per queue: written by every claim,
    /// read to link an attempt to the one before (`prv`); an entry leaves with its job.
    std::string latest(std::string_view queue) const { return make("latest", queue); }
    /// Hash of job class name -> its plugin's retry limit (retries after the first attempt, a
    /// whole number >= 0), for the classes whose plugin sets one. Written by every worker at
    /// start and after a plugin reload (the last writer wins); read by the watcher's recovery,
    /// which loads no plugins, so that a stale attempt obeys the same limit a worker would.
    std::string class_retries() const { return ns_ + ":class_retries"; }
    /// Hash of counters per queue (`completed`, `failed`) that survive retention trimming.
    std::string stats(std::string_view queue) const { return make("stats", queue); }

private:
    std::string make(std::string_view kind, std::string_view id) const {
        std::string key;
        key.reserve(ns_.size() + kind.size() + id.size() + 2);
        key += ns_;
        key += ':';
        key += kind;
        key += ':';
        key += id;
        return key;
    }

    std::string ns_;
};

}  // namespace onyx_background
