// Who is working: live workers from the registry (`<ns>:workers` leases and `<ns>:worker:<wid>`
// hashes), or, when the registry has no live worker (a Redis where only the original tools
// run), the original workers named in CLIENT LIST. CLIENT LIST is not namespaced: like the
// original CLI, that fallback sees workers of every namespace on the server.
#pragma once

#include "cli/command_context.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace onyx::cli {

/// One worker process, whichever source it came from.
struct WorkerInfo {
    std::string id;                   ///< registry id, or "client:<CLIENT ID>" for an original worker
    std::string host;                 ///< registry host, or the connection's address
    std::optional<int64_t> pid;       ///< nullopt for original workers
    std::vector<std::string> queues;  ///< priority order
    int64_t concurrency = 0;          ///< executor threads, or fiber connections
    std::optional<int64_t> busy;      ///< running handlers at the last beat
    std::optional<int64_t> done;      ///< attempts finished by this process
    std::optional<int64_t> started_ms;///< start time (original: now - connection age)
    std::optional<int64_t> beat_ms;   ///< last heartbeat; nullopt for original workers
    std::optional<int64_t> lease_ms;  ///< lease end; nullopt for original workers
    std::string state;                ///< running / quiet / stopping, or "original"
    std::string version;              ///< daemon version; "" when unknown
};

/// The live workers and where they came from ("registry" or "client-list").
struct WorkerCensus {
    std::vector<WorkerInfo> workers;
    std::string source;
};

/// Reads the registry; falls back to CLIENT LIST when no lease is live. Throws common::RedisError.
WorkerCensus take_census(CommandContext& ctx);

/// Splits a comma-separated queue list, dropping empty names. Pure.
std::vector<std::string> split_queue_list(const std::string& list);

}  // namespace onyx::cli
