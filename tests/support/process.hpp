// Child processes for tests: the real onyx-background binary, redis-server, shell commands.
// Real fork/exec, real signals, output captured in files.
#pragma once

#include "support/temp_dir.hpp"

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onyx::test {

/// Extra environment variables for a child: name -> value. They are added to (and override)
/// the test program's own environment.
using Env = std::map<std::string, std::string>;

/// How a child ended: a normal exit with a code, or death by a signal.
struct ExitStatus {
    int code = -1;   ///< exit code (0-255) after a normal exit; -1 when killed by a signal
    int signal = 0;  ///< number of the signal that killed it; 0 after a normal exit

    /// True after a normal exit (any code).
    bool exited() const { return signal == 0; }
    /// True when a signal ended it.
    bool signaled() const { return signal != 0; }
    /// "exit code 3" or "killed by signal 15 (Terminated)", for messages.
    std::string describe() const;

    bool operator==(const ExitStatus&) const = default;
};

/// The status of a normal exit with `code`, for EXPECT_EQ(p.wait_exit(5s), exited_with(0)).
ExitStatus exited_with(int code);

/// The status of a death by `signal`, for EXPECT_EQ(..., killed_by(SIGKILL)).
ExitStatus killed_by(int signal);

/// Lets GoogleTest print an ExitStatus (and so std::optional<ExitStatus>) readably.
void PrintTo(const ExitStatus& status, std::ostream* out);

/// Resolves a program name like execvp does: a name holding '/' is taken as a path, others are
/// searched in $PATH. Returns the path of an executable file; throws std::runtime_error naming
/// the program and the PATH searched when there is none.
std::filesystem::path find_executable(std::string_view name);

/// One child process, started by the constructor (fork + execve), with stdin from /dev/null
/// and stdout/stderr in files of a private temp dir that lives as long as this object.
/// The child starts with default signal dispositions and an empty signal mask, no inherited
/// file descriptors beyond 0-2, its own process group, and PR_SET_PDEATHSIG = SIGKILL: it
/// dies with the thread that created it, so create Processes from the test's own thread,
/// never from a short-lived one.
/// The pid is registered for killing at exit (child_registry.hpp).
/// Not thread-safe: use one Process from one thread. Movable, not copyable.
class Process {
public:
    /// Starts argv[0] (resolved by find_executable) with arguments argv[1..], the parent's
    /// environment plus `env`, in `cwd` (empty: the parent's). Throws std::runtime_error when
    /// argv is empty, the program is missing, or execve fails (with the errno text).
    explicit Process(std::vector<std::string> argv, Env env = {},
                     std::filesystem::path cwd = {});

    /// SIGKILLs and reaps the child if it still runs, SIGKILLs what remains of its process
    /// group, and removes the output files.
    ~Process();

    Process(Process&& other) noexcept;
    Process& operator=(Process&&) = delete;
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    /// The child's pid (still valid as a number after it was reaped).
    pid_t pid() const { return pid_; }

    /// The argv it was started with, argv[0] as given.
    const std::vector<std::string>& argv() const { return argv_; }

    /// True while the child has not exited. Reaps it (and records its status) if it has.
    bool is_running();

    /// Sends `signal` to the child. Throws std::runtime_error if it was already reaped (its
    /// pid may belong to another process by now) or kill(2) fails.
    void send_signal(int signal);

    /// Waits at most `deadline` for the child to exit and reaps it. Returns its status, or
    /// nullopt if it still runs at the deadline. Returns the recorded status at once when it
    /// was already reaped.
    std::optional<ExitStatus> wait_exit(std::chrono::milliseconds deadline);

    /// Like wait_exit, but throws WaitTimeout ("timed out after N ms waiting for <program>
    /// (pid P) to exit") when it still runs at the deadline.
    ExitStatus wait_exit_or_throw(std::chrono::milliseconds deadline);

    /// SIGTERM to the child, then SIGKILL to its group if it still runs after `grace`; reaps
    /// and returns its status.
    ExitStatus terminate(std::chrono::milliseconds grace);

    /// SIGKILL to the child and its process group now; reaps and returns its status.
    ExitStatus kill9();

    /// The status once reaped (by is_running, wait_exit...), nullopt before.
    const std::optional<ExitStatus>& exit_status() const { return status_; }

    /// Path of the file that receives the child's stdout.
    std::filesystem::path stdout_path() const { return output_dir_.file("stdout"); }
    /// Path of the file that receives the child's stderr.
    std::filesystem::path stderr_path() const { return output_dir_.file("stderr"); }
    /// Everything the child wrote to stdout so far.
    std::string stdout_text() const { return read_file_text(stdout_path()); }
    /// Everything the child wrote to stderr so far.
    std::string stderr_text() const { return read_file_text(stderr_path()); }

private:
    bool reap(bool block);

    std::vector<std::string> argv_;
    TempDir output_dir_;
    pid_t pid_ = -1;
    std::optional<ExitStatus> status_;
};

/// What run_command observed.
struct CommandResult {
    ExitStatus status;        ///< how it ended
    std::string stdout_text;  ///< all it wrote to stdout
    std::string stderr_text;  ///< all it wrote to stderr

    /// The exit code, or -1 when a signal killed it.
    int exit_code() const { return status.code; }
};

/// Runs argv (see Process) to completion and returns its status and output. If it still
/// runs after `timeout` it is SIGKILLed and std::runtime_error is thrown with the command,
/// the timeout and what it had written. For CLI tests.
CommandResult run_command(std::vector<std::string> argv, Env env = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace onyx::test
