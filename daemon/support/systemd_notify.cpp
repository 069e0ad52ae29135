#include "support/systemd_notify.hpp"

#include "support/log.hpp"

#include <string>

#if defined(ONYX_HAVE_SYSTEMD)
#include <systemd/sd-daemon.h>
#endif

namespace onyx::support {

#if defined(ONYX_HAVE_SYSTEMD)

namespace {

// One datagram per call, so systemd applies READY=1 and its STATUS= together. sd_notify returns
// 0 when NOTIFY_SOCKET is unset: nothing to do outside systemd. unset_environment stays 0 so
// that every later call (and a re-exec) still finds the socket.
void send(const std::string& message) {
    const int rc = sd_notify(0, message.c_str());
    // A failed notification must not stop the daemon; systemd will notice the missing READY.
    if (rc < 0) ONYX_LOG(debug, "sd_notify({}) failed: {}", message, rc);
}

std::string status_line(std::string_view status) {
    std::string line = "STATUS=";
    // A newline would end the STATUS= assignment and start another one.
    for (char c : status) line += (c == '\n' ? ' ' : c);
    return line;
}

}  // namespace

void notify_ready(std::string_view status) { send("READY=1\n" + status_line(status)); }

void notify_status(std::string_view status) { send(status_line(status)); }

void notify_stopping(std::string_view status) { send("STOPPING=1\n" + status_line(status)); }

void notify_watchdog() { send("WATCHDOG=1"); }

int64_t watchdog_interval_ms() {
    uint64_t usec = 0;
    // > 0 only when WATCHDOG_USEC is set and WATCHDOG_PID is unset or our pid.
    if (sd_watchdog_enabled(0, &usec) <= 0) return 0;
    // Rounded up, so a sub-millisecond interval still reads as "there is a watchdog".
    return static_cast<int64_t>((usec + 999) / 1000);
}

#else  // built without libsystemd: the daemon runs the same, it just tells nobody.

void notify_ready(std::string_view) {}
void notify_status(std::string_view) {}
void notify_stopping(std::string_view) {}
void notify_watchdog() {}
int64_t watchdog_interval_ms() { return 0; }

#endif

void start_watchdog(uv_loop_t* loop, uv_timer_t* timer) {
    uv_timer_init(loop, timer);
    const int64_t watchdog_ms = watchdog_interval_ms();
    if (watchdog_ms <= 0) return;
    const auto every = static_cast<uint64_t>(watchdog_ms / 2 > 1 ? watchdog_ms / 2 : 1);
    uv_timer_start(timer, [](uv_timer_t*) { notify_watchdog(); }, 0, every);
}

}  // namespace onyx::support
