// fork + execve with the hygiene a test child needs. Used by Process; tests use Process.
#pragma once

#include "support/process.hpp"

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace onyx::test {

/// Everything spawn_child needs to start one program.
struct SpawnRequest {
    std::filesystem::path program;   ///< executable path (already resolved)
    std::vector<std::string> argv;   ///< argv[0] included
    Env env;                         ///< added to / overriding the parent's environment
    std::filesystem::path cwd;       ///< working directory; empty: the parent's
    std::filesystem::path stdout_file;  ///< created or truncated
    std::filesystem::path stderr_file;  ///< created or truncated
};

/// Forks and execs the request; stdin is /dev/null, signals are reset to their defaults,
/// descriptors above 2 are closed at exec, PR_SET_PDEATHSIG is SIGKILL and the child leads a
/// new process group (pgid = pid). Returns the pid
/// once execve has succeeded (a close-on-exec pipe reports its errno otherwise) and registers
/// it in child_registry. Throws std::runtime_error naming the program on any failure.
pid_t spawn_child(const SpawnRequest& request);

}  // namespace onyx::test
