// Producer API: enqueue onyx-background jobs from any C++ application. Writes exactly what the
// Onyx::Background Manager writes (docs/protocol.md, "Enqueue"): HSET of the job hash, then
// RPUSH to ready:<queue> (or ZADD to scheduled:<queue>), plus SADD of the queue to <ns>:queues.
#pragma once

#include <onyx_background/keys.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace onyx_background {

/// A failed client call: connection refused or lost, a Redis error reply, or bad input.
/// what() names the Redis endpoint (password hidden) or the bad value.
class ClientError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// One job to enqueue.
struct JobRequest {
    std::string job_class;             ///< `cls`, e.g. "Jobs::Nap"; must not be empty
    std::string args_json = "{}";      ///< `arg`: JSON text; validated (must parse) before writing
    std::string queue = "default";     ///< queue name: non-empty, no ',' and no control characters
    std::optional<int64_t> run_at_ms;  ///< Unix epoch ms: scheduled when set (past = run at once)
    std::optional<int> retries;        ///< per-job retry limit (`rty` field), unset = queue policy
};

/// Connection settings for Client.
struct ClientOptions {
    std::string redis_url = "redis://127.0.0.1:6379/0"; ///< redis:// or unix:// URL
    std::string ns = std::string(kDefaultNamespace);    ///< key namespace
    int64_t timeout_ms = 5000;                          ///< connect and command timeout
};

/// A synchronous producer connection. Not thread-safe: use one Client per thread.
/// Every call throws ClientError on failure; nothing is half-written for a bad request
/// because requests are validated before any command is sent.
class Client {
public:
    /// Connects (and AUTHs / SELECTs as the URL says). Throws ClientError.
    explicit Client(ClientOptions options);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    /// Enqueues one job; returns its new id (lowercase v4 UUID).
    std::string enqueue(const JobRequest& request);

    /// Enqueues many jobs in pipelined batches (one round trip per batch of up to 1,000);
    /// returns their ids in request order. All requests are validated before any is sent.
    std::vector<std::string> enqueue_many(const std::vector<JobRequest>& requests);

    /// The key builder of this client's namespace.
    const Keys& keys() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Checks a queue name: non-empty, no ',' and no control character. Returns an empty string
/// when valid, else a sentence saying what is wrong.
std::string queue_name_problem(std::string_view queue);

/// Checks that `json` is one complete JSON value. Returns an empty string when valid, else a
/// sentence naming the offset and the parse error.
std::string json_problem(std::string_view json);

/// A new random (v4) UUID, lowercase and hyphenated. Thread-safe. Throws ClientError when the
/// kernel's random source fails.
std::string new_uuid();

/// `count` new random (v4) UUIDs from one getrandom() call. Thread-safe. Throws ClientError
/// when the kernel's random source fails.
std::vector<std::string> new_uuids(size_t count);

}  // namespace onyx_background
