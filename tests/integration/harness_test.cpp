// Tests of the test support library (tests/support) against a real redis-server and real
// child processes: if these fail, every other integration test is suspect.
#include "support/child_registry.hpp"
#include "support/free_port.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/redis_client.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <fcntl.h>
#include <unistd.h>

namespace onyx::test {
namespace {

using namespace std::chrono_literals;

// True when `pid` is gone or a zombie nobody reaped yet (an orphan's parent may be a PID 1
// that never reaps): either way it no longer runs.
bool process_gone(pid_t pid) {
    const std::string stat = read_file_text("/proc/" + std::to_string(pid) + "/stat");
    const auto paren = stat.rfind(')');
    return stat.empty() || (paren != std::string::npos && stat.substr(paren + 2, 1) == "Z");
}

bool port_answers(int port) {
    try {
        return RedisClient(port, 200ms).command({"PING"}).str == "PONG";
    } catch (const std::exception&) {
        return false;
    }
}

// --- RedisServer ---

TEST(HarnessRedisServer, StartsAndAnswers) {
    RedisServer server;
    RedisClient client(server.port());
    EXPECT_EQ(client.get_string({"PING"}), "PONG");
    EXPECT_EQ(server.url(), "redis://127.0.0.1:" + std::to_string(server.port()) + "/0");
    EXPECT_TRUE(std::filesystem::is_directory(server.dir()));
    EXPECT_NE(server.port(), 6379);
    EXPECT_NE(server.log_text().find("Ready to accept connections"), std::string::npos);
}

TEST(HarnessRedisServer, TwoServersGetDifferentPortsAndDirs) {
    RedisServer a;
    RedisServer b;
    EXPECT_NE(a.port(), b.port());
    EXPECT_NE(a.dir(), b.dir());
    RedisClient(a.port()).command({"SET", "k", "a"});
    EXPECT_EQ(RedisClient(b.port()).optional_string({"GET", "k"}), std::nullopt);
}

TEST(HarnessRedisServer, RestartOnSamePortKeepsAofData) {
    RedisServer server(RedisServerOptions{.appendonly = true});
    const int port = server.port();
    RedisClient(port).command({"RPUSH", "list", "one", "two"});
    server.stop();
    EXPECT_FALSE(server.is_running());
    EXPECT_FALSE(port_answers(port));
    server.start();
    EXPECT_EQ(server.port(), port);
    EXPECT_EQ(RedisClient(port).strings({"LRANGE", "list", "0", "-1"}),
              (std::vector<std::string>{"one", "two"}));
}

TEST(HarnessRedisServer, RestartWithoutAofStartsEmpty) {
    RedisServer server;
    RedisClient(server.port()).command({"SET", "k", "v"});
    server.stop();
    server.start();
    EXPECT_EQ(RedisClient(server.port()).integer({"DBSIZE"}), 0);
}

TEST(HarnessRedisServer, Kill9StopsAtOnceAndCanRestart) {
    RedisServer server(RedisServerOptions{.appendonly = true, .extra_args = {"--appendfsync", "always"}});
    RedisClient client(server.port());
    client.command({"SET", "k", "v"});
    const pid_t pid = server.pid();
    server.kill9();
    EXPECT_TRUE(process_gone(pid));
    EXPECT_EQ(server.pid(), -1);
    EXPECT_THROW(client.command({"PING"}), std::runtime_error);
    server.start();
    client.reconnect();
    EXPECT_EQ(client.get_string({"GET", "k"}), "v");
}

TEST(HarnessRedisServer, StartWhileRunningIsALogicError) {
    RedisServer server;
    EXPECT_THROW(server.start(), std::logic_error);
}

TEST(HarnessRedisServer, UnixSocketIsServed) {
    RedisServer server;
    ASSERT_FALSE(server.unix_socket().empty());
    auto result = run_command({"redis-cli", "-s", server.unix_socket().string(), "ping"});
    EXPECT_EQ(result.stdout_text, "PONG\n");
}

TEST(HarnessRedisServer, BadArgumentFailsLoudlyWithTheLog) {
    try {
        RedisServer server(RedisServerOptions{.extra_args = {"--no-such-option", "1"}});
        FAIL() << "a server with a bad option started";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("no-such-option"), std::string::npos) << e.what();
    }
}

// Starts a server, reports its pid and port in `report`, and aborts as a crashing test
// would: destructors and atexit handlers never run. Runs in a death-test child.
[[noreturn]] void start_server_and_abort(const std::filesystem::path& report) {
    ::setenv("TMPDIR", report.parent_path().c_str(), 1);  // leftover dirs go to the caller's
    RedisServer server;
    write_file_text(report, std::to_string(server.pid()) + " " + std::to_string(server.port()));
    std::abort();
}

TEST(HarnessRedisServerDeathTest, NoServerOutlivesAnAbortingTest) {
    TempDir tmp;
    const auto report = tmp.file("report");
    EXPECT_EXIT(start_server_and_abort(report), testing::KilledBySignal(SIGABRT), "");
    pid_t pid = 0;
    int port = 0;
    ASSERT_EQ(std::sscanf(read_file_text(report).c_str(), "%d %d", &pid, &port), 2);
    wait_until([&] { return process_gone(pid); }, 5s, "the aborted test's redis-server to die");
    EXPECT_FALSE(port_answers(port));
}

// --- RedisClient ---

TEST(HarnessRedisClient, IsBinarySafe) {
    RedisServer server;
    RedisClient client(server.port());
    const std::string key("k\0ey \r\n", 7);
    const std::string value("v\0al\r\nue \xff", 10);
    client.command({"SET", key, value});
    EXPECT_EQ(client.get_string({"GET", key}), value);
}

TEST(HarnessRedisClient, TypedHelpers) {
    RedisServer server;
    RedisClient client(server.port());
    client.command({"HSET", "h", "que", "default", "cls", "Jobs::Nap"});
    EXPECT_EQ(client.hgetall("h"), (std::map<std::string, std::string>{
                                       {"cls", "Jobs::Nap"}, {"que", "default"}}));
    EXPECT_TRUE(client.hgetall("missing").empty());
    EXPECT_EQ(client.integer({"RPUSH", "l", "a", "b"}), 2);
    EXPECT_EQ(client.strings(std::vector<std::string>{"LRANGE", "l", "0", "-1"}),
              (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(client.optional_string({"GET", "none"}), std::nullopt);
    EXPECT_TRUE(client.command({"GET", "none"}).is_nil());
}

TEST(HarnessRedisClient, ErrorReplyThrowsWithCommandAndText) {
    RedisServer server;
    RedisClient client(server.port());
    client.command({"SET", "s", "text"});
    try {
        client.command({"INCR", "s"});
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("INCR s"), std::string::npos) << what;
        EXPECT_NE(what.find("not an integer"), std::string::npos) << what;
    }
    EXPECT_TRUE(client.command_raw({"INCR", "s"}).is_error());
    EXPECT_THROW(client.integer({"GET", "s"}), std::runtime_error);  // wrong reply type
}

TEST(HarnessRedisClient, ConnectionErrorThrowsWithThePort) {
    const int port = find_free_port();
    try {
        RedisClient client(port);
        FAIL() << "connected to a port nobody listens on";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(std::to_string(port)), std::string::npos) << e.what();
    }
}

// --- Process and run_command ---

TEST(HarnessProcess, CapturesOutputAndExitCode) {
    Process p({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
    EXPECT_EQ(p.wait_exit(5s), exited_with(3));
    EXPECT_EQ(p.stdout_text(), "out\n");
    EXPECT_EQ(p.stderr_text(), "err\n");
    EXPECT_FALSE(p.is_running());
}

TEST(HarnessProcess, PassesExtraEnvAndCwd) {
    TempDir dir;
    Process p({"sh", "-c", "echo \"$ONYX_X\"; pwd"}, {{"ONYX_X", "a b"}}, dir.path());
    EXPECT_EQ(p.wait_exit_or_throw(5s), exited_with(0));
    EXPECT_EQ(p.stdout_text(), "a b\n" + std::filesystem::canonical(dir.path()).string() + "\n");
}

TEST(HarnessProcess, ReportsDeathBySignal) {
    Process p({"/bin/sh", "-c", "kill -KILL $$"});
    EXPECT_EQ(p.wait_exit_or_throw(5s), killed_by(SIGKILL));
    EXPECT_EQ(p.exit_status()->describe(), "killed by signal 9 (Killed)");
}

TEST(HarnessProcess, DeliversSignals) {
    // The child starts with default dispositions even if the test ignores SIGTERM.
    auto previous = std::signal(SIGTERM, SIG_IGN);
    Process p({"/bin/sh", "-c", "echo ready; exec sleep 30"});
    std::signal(SIGTERM, previous);
    wait_until([&] { return p.stdout_text() == "ready\n"; }, 5s, "the child to start");
    EXPECT_TRUE(p.is_running());
    EXPECT_EQ(p.wait_exit(20ms), std::nullopt);
    p.send_signal(SIGTERM);
    EXPECT_EQ(p.wait_exit(5s), killed_by(SIGTERM));
    EXPECT_THROW(p.send_signal(SIGTERM), std::runtime_error);  // reaped: pid may be reused
}

TEST(HarnessProcess, TerminateEscalatesToSigkill) {
    Process p({"/bin/sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done"});
    wait_until([&] { return p.stdout_text() == "ready\n"; }, 5s, "the trap to be set");
    EXPECT_EQ(p.terminate(100ms), killed_by(SIGKILL));
}

TEST(HarnessProcess, DestructorKillsARunningChild) {
    pid_t pid = 0;
    {
        Process p({"sleep", "30"});
        pid = p.pid();
    }
    EXPECT_NE(::kill(pid, 0), 0);  // reaped, so the pid no longer exists
}

TEST(HarnessProcess, Kill9KillsWhatTheChildStarted) {
    TempDir tmp;
    Process p({"sh", "-c", "sleep 30 & echo $! > " + tmp.file("pid").string() + "; wait"});
    wait_until([&] { return !read_file_text(tmp.file("pid")).empty(); }, 5s, "the grandchild pid");
    const pid_t grandchild = std::stoi(read_file_text(tmp.file("pid")));
    p.kill9();
    wait_until([&] { return process_gone(grandchild); }, 5s, "the grandchild to die");
}

TEST(HarnessProcess, KillRegisteredChildrenKillsEveryChild) {
    Process p({"sleep", "30"});
    kill_registered_children();
    EXPECT_FALSE(p.is_running());
}

TEST(HarnessProcess, MissingProgramThrows) {
    EXPECT_THROW(Process({"onyx-no-such-program"}), std::runtime_error);
    EXPECT_THROW(Process({"/nonexistent/prog"}), std::runtime_error);
    EXPECT_THROW(Process({}), std::runtime_error);
}

TEST(HarnessProcess, DoesNotLeakDescriptors) {
    const int fd = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC on purpose
    ASSERT_GE(fd, 3);
    auto result = run_command({"sh", "-c", "test -e /proc/$$/fd/" + std::to_string(fd)});
    ::close(fd);
    EXPECT_EQ(result.exit_code(), 1) << "fd " << fd << " leaked into the child";
}

TEST(HarnessRunCommand, ReturnsCodeAndOutput) {
    auto result = run_command({"sh", "-c", "printf 'a\\0b'; echo e >&2; exit 7"});
    EXPECT_EQ(result.exit_code(), 7);
    EXPECT_EQ(result.stdout_text, std::string("a\0b", 3));
    EXPECT_EQ(result.stderr_text, "e\n");
}

TEST(HarnessRunCommand, TimeoutKillsAndThrows) {
    try {
        run_command({"sh", "-c", "echo started; exec sleep 30"}, {}, 200ms);
        FAIL() << "no timeout";
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("timed out after 200 ms"), std::string::npos) << what;
        EXPECT_NE(what.find("started"), std::string::npos) << what;
    }
}

// --- wait_until, TempDir, paths ---

TEST(HarnessWait, TimesOutWithTheMessage) {
    const auto start = std::chrono::steady_clock::now();
    try {
        wait_until([] { return false; }, 50ms, "the impossible");
        FAIL() << "no timeout";
    } catch (const WaitTimeout& e) {
        EXPECT_STREQ(e.what(), "timed out after 50 ms waiting for the impossible");
    }
    EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
    EXPECT_FALSE(try_wait_until([] { return false; }, 10ms));
}

TEST(HarnessWait, ReturnsAsSoonAsTrue) {
    int calls = 0;
    wait_until([&] { return ++calls == 3; }, 5s, "the third call");
    EXPECT_EQ(calls, 3);
    EXPECT_TRUE(try_wait_until([] { return true; }, 0ms));
}

TEST(HarnessTempDir, IsRemovedWithItsContent) {
    std::filesystem::path path;
    {
        TempDir dir("onyx-harness");
        path = dir.path();
        std::filesystem::create_directory(dir.file("sub"));
        write_file_text(dir.file("sub/f"), "x");
        EXPECT_EQ(read_file_text(dir.file("sub/f")), "x");
    }
    EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(HarnessPaths, PointIntoTheBuild) {
    EXPECT_TRUE(std::filesystem::exists(std::string(paths::source_dir) + "/CMakeLists.txt"));
    EXPECT_FALSE(paths::build_dir.empty());
    EXPECT_TRUE(std::filesystem::exists(paths::onyx_bin)) << paths::onyx_bin;
}

}  // namespace
}  // namespace onyx::test
