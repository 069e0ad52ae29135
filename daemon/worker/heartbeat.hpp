// The worker registry entry and its lease (docs/protocol.md, "Workers"): `<ns>:workers` scores
// each worker id by the time its lease ends; `<ns>:worker:<id>` describes it and expires too.
// A watcher treats a worker whose lease ended as dead, whatever its TCP connections do.
#pragma once

#include "redis/async_connection.hpp"
#include "support/repeated_failure.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace onyx::worker {

/// What a worker says about itself. Durations in ms.
struct WorkerInfo {
    std::string ns;
    std::string worker_id;
    std::vector<std::string> queues;
    int concurrency = 0;
    int64_t started_at_ms = 0;
    int64_t lease_ms = 10000;
};

/// Live numbers written with each beat.
struct WorkerStats {
    int busy = 0;          ///< handlers running now
    /// Attempt ids of those handlers, written as `run`: a watcher recovering this worker
    /// counts only these attempts as failed (docs/protocol.md, "Recovery").
    std::vector<std::string> running;
    uint64_t done = 0;     ///< attempts finished by this process
    std::string state;     ///< running, quiet or stopping
};

/// The EVALSHA argv of one heartbeat (protocol/lua/heartbeat.lua: KEYS workers and the worker hash): lease end =
/// now + lease, the description kept for 3 leases. Pure.
std::vector<std::string> heartbeat_arguments(std::string_view script_sha, const WorkerInfo& info,
                                             const WorkerStats& stats, int64_t now_ms);

/// Builds the commands that remove the worker from the registry at a clean exit. Pure.
std::vector<std::vector<std::string>> unregister_commands(const WorkerInfo& info);

/// Sends a heartbeat on `connection` (no-op when not ready; the connection must have loaded
/// kHeartbeatScript). A refused heartbeat (READONLY, ...) is logged through `refused`: when it
/// starts, once a minute, when it ends. `refused` must outlive the reply. Loop thread.
void send_heartbeat(redis::AsyncConnection& connection, const WorkerInfo& info, const WorkerStats& stats,
                    support::RepeatedFailure& refused);

}  // namespace onyx::worker
