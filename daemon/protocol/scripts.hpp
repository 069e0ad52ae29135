// The Lua scripts of the worker, the watcher and the CLI. Each moves only what it removed, in
// one atomic step, so a crash at any instant leaves every job id somewhere a watcher can find
// it. Each script is a file, daemon/protocol/lua/<name>.lua, whose header block is its contract
// (what it does, KEYS, ARGV, derived keys, reply, flags); shared pieces are in lua/lib/. The
// build composes them (cmake/ComposeLua.cmake) and defines the objects below in a generated
// scripts_lua.cpp. docs/protocol.md says what each step means for the data.
#pragma once

#include <string_view>
#include <vector>

namespace onyx::protocol {

/// A script's name (its file name, for logs and SCRIPT LOAD bookkeeping) and composed Lua
/// source, `#!lua` shebang first. Static storage; thread-safe (immutable).
struct Script {
    std::string_view name;
    std::string_view source;
};

// Worker (loaded with SCRIPT LOAD on every new connection, run with EVALSHA).
extern const Script kClaimScript;     ///< see lua/claim.lua
extern const Script kFinishScript;    ///< see lua/finish.lua
extern const Script kHandBackScript;  ///< see lua/hand_back.lua
extern const Script kOrphansScript;   ///< see lua/orphans.lua
extern const Script kUnreserveScript; ///< see lua/unreserve.lua; called through unreserve_call.hpp
extern const Script kHeartbeatScript; ///< see lua/heartbeat.lua

// Watcher.
extern const Script kPromoteScript;   ///< see lua/promote.lua; called through promote_call.hpp
extern const Script kRecoverScript;   ///< see lua/recover.lua; called through recover_call.hpp
extern const Script kTrimScript;      ///< see lua/trim.lua; called through trim_call.hpp

// CLI (run with EVAL).
extern const Script kDequeueScript;   ///< see lua/dequeue.lua
extern const Script kRetryJobScript;  ///< see lua/retry_job.lua
extern const Script kRetryDeadScript; ///< see lua/retry_dead.lua
extern const Script kPurgeScript;     ///< see lua/purge.lua

/// Every script above, in file-name order of the build's list. Pure; any thread.
std::vector<Script> all_scripts();

}  // namespace onyx::protocol
