// systemd service notifications (sd_notify from libsystemd): READY=1, STATUS=, STOPPING=1,
// WATCHDOG=1. Every call is a no-op when NOTIFY_SOCKET is unset (not under systemd) or when
// the daemon was built without libsystemd.
#pragma once

#include <cstdint>
#include <string_view>

#include <uv.h>

namespace onyx::support {

/// READY=1 with a STATUS= line: call once, when Redis is connected and plugins are loaded.
void notify_ready(std::string_view status);

/// STATUS=<text>: a line an operator reads in `systemctl status`.
void notify_status(std::string_view status);

/// STOPPING=1 with a STATUS= line: call when draining starts.
void notify_stopping(std::string_view status);

/// WATCHDOG=1: call from the loop thread at least every watchdog_interval_ms() / 2.
void notify_watchdog();

/// The watchdog interval systemd asked for (WATCHDOG_USEC), in ms; 0 when there is none.
int64_t watchdog_interval_ms();

/// Initialises `timer` on `loop` and, when systemd asked for a watchdog, sends WATCHDOG=1 from
/// it every half interval: from the loop itself, so a wedged loop stops the pings and systemd
/// restarts the service. The caller closes the timer. Loop thread.
void start_watchdog(uv_loop_t* loop, uv_timer_t* timer);

}  // namespace onyx::support
