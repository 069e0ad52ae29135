// systemd notifications from the real worker: the test plays systemd. It owns a NOTIFY_SOCKET
// (a unix datagram socket in a temp dir), starts the worker with NOTIFY_SOCKET and
// WATCHDOG_USEC set (WATCHDOG_PID left out: sd_watchdog_enabled wants it to be the worker's
// own pid, which the test cannot know before the fork), and reads what arrives: READY=1 with a
// STATUS= line once Redis is connected and the plugins are loaded, WATCHDOG=1 well within the
// interval, STOPPING=1 after SIGTERM, then exit 0. Nothing before Redis answers.
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

namespace onyx::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kDeadline = 10s;
// Short, so the test sees several pings; the worker must ping at least every half of it.
constexpr auto kWatchdog = 600ms;

// One datagram as systemd would receive it, with its arrival time.
struct Notification {
    std::string text;
    Clock::time_point at;
};

// The systemd side of sd_notify: a bound AF_UNIX SOCK_DGRAM socket. Not thread-safe.
class NotifySocket {
public:
    explicit NotifySocket(std::filesystem::path path) : path_(std::move(path)) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        if (path_.string().size() >= sizeof address.sun_path) throw std::runtime_error("socket path too long");
        std::strcpy(address.sun_path, path_.c_str());
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
            throw std::system_error(errno, std::generic_category(), "bind " + path_.string());
    }
    ~NotifySocket() { ::close(fd_); }
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    const std::filesystem::path& path() const { return path_; }

    // Reads datagrams until `done` holds for what was read so far or `deadline` passes.
    // Returns whether `done` held.
    bool read_until(const std::function<bool(const std::vector<Notification>&)>& done,
                    std::chrono::milliseconds deadline) {
        const auto end = Clock::now() + deadline;
        while (!done(received_)) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
            if (left <= 0ms) return false;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
            char buffer[4096];
            const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
            if (n > 0) received_.push_back({std::string(buffer, static_cast<size_t>(n)), Clock::now()});
        }
        return true;
    }

    // Everything received so far, in arrival order.
    const std::vector<Notification>& received() const { return received_; }

    // All datagrams, one per line, for failure messages.
    std::string transcript() const {
        std::string text;
        for (const Notification& n : received_) text += "  [" + n.text + "]\n";
        return text.empty() ? "  (nothing)\n" : text;
    }

private:
    std::filesystem::path path_;
    int fd_ = -1;
    std::vector<Notification> received_;
};

bool has_line(const Notification& n, std::string_view line) {
    for (size_t start = 0; start <= n.text.size();) {
        size_t end = n.text.find('\n', start);
        if (end == std::string::npos) end = n.text.size();
        if (std::string_view(n.text).substr(start, end - start) == line) return true;
        start = end + 1;
    }
    return false;
}

bool has_prefix_line(const Notification& n, std::string_view prefix) {
    // Built by appending: `"\n" + std::string` trips GCC 12's -Wrestrict false positive at -O3.
    std::string line_start(1, '\n');
    line_start += prefix;
    return n.text.starts_with(prefix) || n.text.find(line_start) != std::string::npos;
}

// Index of the first notification at or after `from` that has `line`, or -1.
int find_line(const std::vector<Notification>& all, std::string_view line, size_t from = 0) {
    for (size_t i = from; i < all.size(); ++i)
        if (has_line(all[i], line)) return static_cast<int>(i);
    return -1;
}

class SystemdNotify : public ::testing::Test {
protected:
    SystemdNotify() {
        write_file_text(config_, "");
        // Only the basic example plugin: this test is about notifications, not about plugins.
        std::filesystem::create_directory(plugins_);
        std::filesystem::copy_file(std::filesystem::path(paths::example_plugin_dir) / "onyx_plugin_basic.so",
                                   plugins_ / "onyx_plugin_basic.so");
    }

    Process start_worker() {
        return Process({std::string(paths::onyx_bin), "worker", "-r", server_.url(), "--config", config_.string(),
                        "--plugins", plugins_.string(), "-q", "default,mail", "-c", "3",
                        "--log-level", "debug"},
                       Env{{"NOTIFY_SOCKET", notify_.path().string()},
                           {"WATCHDOG_USEC", std::to_string(std::chrono::microseconds(kWatchdog).count())}});
    }

    RedisServer server_;
    TempDir tmp_{"onyx-notify"};
    std::filesystem::path config_ = tmp_.file("empty.ini");
    std::filesystem::path plugins_ = tmp_.file("plugins");
    NotifySocket notify_{tmp_.file("notify.sock")};
};

TEST_F(SystemdNotify, ReadyStatusWatchdogThenStoppingAfterSigterm) {
    Process worker = start_worker();
    const bool ready = notify_.read_until([](const auto& all) { return find_line(all, "READY=1") >= 0; }, kDeadline);
    ASSERT_TRUE(ready) << "no READY=1 within " << kDeadline.count() << " s; received:\n"
                       << notify_.transcript() << "worker stderr:\n" << worker.stderr_text();
    const auto& all = notify_.received();
    const size_t ready_at = static_cast<size_t>(find_line(all, "READY=1"));
    EXPECT_TRUE(has_prefix_line(all[ready_at], "STATUS=")) << "READY=1 should carry a STATUS= line: " << all[ready_at].text;

    // Pings for three intervals: each gap well below WATCHDOG_USEC.
    const auto pings_from = Clock::now();
    notify_.read_until([&](const auto&) { return Clock::now() - pings_from >= 3 * kWatchdog; }, 3 * kWatchdog + 1s);
    std::vector<Clock::time_point> pings;
    for (size_t i = ready_at; i < all.size(); ++i)
        if (has_line(all[i], "WATCHDOG=1")) pings.push_back(all[i].at);
    ASSERT_GE(pings.size(), 3u) << "too few WATCHDOG=1 after READY=1; received:\n" << notify_.transcript();
    for (size_t i = 1; i < pings.size(); ++i)
        EXPECT_LT(pings[i] - pings[i - 1], kWatchdog) << "a watchdog gap reached WATCHDOG_USEC; received:\n"
                                                      << notify_.transcript();

    const size_t before_term = all.size();
    worker.send_signal(SIGTERM);
    const bool stopping = notify_.read_until(
        [&](const auto& got) { return find_line(got, "STOPPING=1", before_term) >= 0; }, kDeadline);
    ASSERT_TRUE(stopping) << "no STOPPING=1 after SIGTERM; received:\n" << notify_.transcript();
    EXPECT_EQ(worker.wait_exit_or_throw(kDeadline), exited_with(0)) << worker.stderr_text();

    // Order: READY once, before any STOPPING; nothing claims readiness again after STOPPING.
    EXPECT_EQ(find_line(all, "READY=1", ready_at + 1), -1) << "READY=1 sent twice:\n" << notify_.transcript();
    EXPECT_EQ(find_line(all, "STOPPING=1"), find_line(all, "STOPPING=1", before_term))
        << "STOPPING=1 before SIGTERM:\n" << notify_.transcript();
    bool status_after_ready = false;
    for (size_t i = ready_at; i < all.size(); ++i) status_after_ready |= has_prefix_line(all[i], "STATUS=");
    EXPECT_TRUE(status_after_ready);
}

TEST_F(SystemdNotify, NoReadyWhileRedisIsDown) {
    server_.stop();
    Process worker = start_worker();
    // A bounded look for something that must not happen: READY=1 without Redis.
    notify_.read_until([](const auto& all) { return find_line(all, "READY=1") >= 0; }, 1500ms);
    EXPECT_EQ(find_line(notify_.received(), "READY=1"), -1)
        << "READY=1 while Redis is down; received:\n" << notify_.transcript();
    worker.terminate(kDeadline);
}

}  // namespace
}  // namespace onyx::test
