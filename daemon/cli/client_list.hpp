// Reading the original workers out of CLIENT LIST, for a Redis where only the Crystal tools
// run (they keep no worker registry). Their main connection is named
// `onyx-background-worker:<q1>,<q2>` and each fiber connection
// `onyx-background-worker-fiber:<main CLIENT ID>`; names may be %XX-escaped
// (docs/protocol.md, "Client names"). Pure parsing, no I/O; unknown lines are skipped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onyx::cli {

/// One connection of CLIENT LIST: the fields the CLI uses.
struct ClientEntry {
    int64_t id = 0;       ///< `id=`
    std::string addr;     ///< `addr=` host:port
    std::string name;     ///< `name=` as Redis holds it (still escaped)
    int64_t age_s = 0;    ///< `age=` seconds since the connection was made
    int64_t db = 0;       ///< `db=` the database the connection has selected
};

/// A worker of the original tools as CLIENT LIST shows it.
struct ClientWorker {
    int64_t client_id = 0;            ///< CLIENT ID of its main connection
    std::string addr;                 ///< its main connection's address
    int64_t age_s = 0;                ///< age of its main connection
    std::vector<std::string> queues;  ///< unescaped, in its priority order
    int64_t fibers = 0;               ///< connections named ...-worker-fiber:<client_id>
};

/// Parses CLIENT LIST text (one client per line, `key=value` fields separated by spaces).
/// Lines without a numeric `id=` are skipped.
std::vector<ClientEntry> parse_client_list(std::string_view text);

/// The original workers among `clients` that use database `db`, each with its fiber count, in
/// client id order. Queue lists are unescaped (protocol::unescape_client_name).
std::vector<ClientWorker> client_workers(const std::vector<ClientEntry>& clients, int64_t db);

}  // namespace onyx::cli
