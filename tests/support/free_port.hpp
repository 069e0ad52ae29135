// Free loopback TCP ports for servers the tests start.
#pragma once

namespace onyx::test {

/// Returns a loopback TCP port that nothing is bound to at this instant. Ports are drawn at
/// random from 20000-32767, below Linux's ephemeral range, so the source port of an outgoing
/// connection never takes it while a test restarts its server on the same port; falls back to
/// a kernel-chosen port (bind to 0). Another process can still bind it before the caller
/// does: callers retry with a new port when their server fails to bind. Thread-safe; throws
/// std::runtime_error when no port can be bound.
int find_free_port();

}  // namespace onyx::test
