// Redis client names of the Onyx::Background layout, which the original watcher and CLI read
// from CLIENT LIST: `onyx-background-worker:<q1>,<q2>`, `onyx-background-worker-fiber:<id>`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace onyx::protocol {

/// Escapes text for CLIENT SETNAME, which Redis 7 refuses for bytes outside '!'..'~' (spaces,
/// non-ASCII): each such byte and '%' itself becomes %XX (uppercase hex, per byte of the
/// UTF-8), so `mail-ü` becomes `mail-%C3%BC`. Pure; text already in range is unchanged.
std::string escape_client_name(std::string_view text);

/// Undoes escape_client_name: %XX (hex, either case) becomes that byte; a `%` not followed by
/// two hex digits is kept as it is. Pure.
std::string unescape_client_name(std::string_view text);

/// `onyx-background-worker:<q1>,<q2>` with the queue list escaped. Name of the worker's main
/// (blocking) connection.
std::string worker_client_name(const std::vector<std::string>& queues);

/// `onyx-background-worker-fiber:<main client id>`. Name of the connection whose CLIENT ID is
/// written to attempts' `wrk`.
std::string fiber_client_name(int64_t main_client_id);

/// `onyx-background-watcher`.
inline constexpr std::string_view kWatcherClientName = "onyx-background-watcher";

/// `onyx-background-manager` (the CLI and the producer library).
inline constexpr std::string_view kManagerClientName = "onyx-background-manager";

}  // namespace onyx::protocol
