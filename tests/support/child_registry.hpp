// Last-resort cleanup of child processes, so that a test that aborts, crashes or exits early
// never leaves a redis-server or a daemon running behind it.
#pragma once

#include <sys/types.h>

namespace onyx::test {

/// Remembers `pid` as a live child of this test program. The first call installs an atexit
/// handler that SIGKILLs (with its process group) and reaps every child still registered
/// when the program exits.
/// (Children spawned by Process also get PR_SET_PDEATHSIG = SIGKILL, which covers deaths
/// that skip atexit: abort, a crash, SIGKILL from a ctest timeout.) Thread-safe.
void register_child(pid_t pid);

/// Forgets `pid`; call it once the child has been reaped. Thread-safe.
void unregister_child(pid_t pid);

/// SIGKILLs every registered child and its process group now, reaps the children, and
/// forgets them all. Thread-safe;
/// never throws.
void kill_registered_children() noexcept;

}  // namespace onyx::test
