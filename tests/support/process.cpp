#include "support/process.hpp"

#include "support/child_registry.hpp"
#include "support/spawn.hpp"
#include "support/wait.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ostream>
#include <stdexcept>
#include <utility>

#include <sys/wait.h>

namespace onyx::test {

std::string ExitStatus::describe() const {
    if (exited()) return "exit code " + std::to_string(code);
    const char* name = ::strsignal(signal);
    return "killed by signal " + std::to_string(signal) + " (" + (name ? name : "?") + ")";
}

ExitStatus exited_with(int code) { return ExitStatus{code, 0}; }

ExitStatus killed_by(int signal) { return ExitStatus{-1, signal}; }

void PrintTo(const ExitStatus& status, std::ostream* out) { *out << status.describe(); }

Process::Process(std::vector<std::string> argv, Env env, std::filesystem::path cwd)
    : argv_(std::move(argv)), output_dir_("onyx-proc") {
    if (argv_.empty()) throw std::runtime_error("Process: empty argv");
    SpawnRequest request{find_executable(argv_[0]), argv_, std::move(env), std::move(cwd),
                         stdout_path(), stderr_path()};
    pid_ = spawn_child(request);
}

Process::~Process() {
    if (pid_ <= 0) return;
    kill9();
    // Leftovers of its group (e.g. a shell's background jobs). Safe after the reap: Linux
    // does not reuse a pid while a process group of that id exists.
    ::kill(-pid_, SIGKILL);
}

Process::Process(Process&& other) noexcept
    : argv_(std::move(other.argv_)),
      output_dir_(std::move(other.output_dir_)),
      pid_(std::exchange(other.pid_, -1)),
      status_(std::exchange(other.status_, std::nullopt)) {}

// Reaps the child if it has exited (or waits for it when `block`); true once reaped.
bool Process::reap(bool block) {
    if (status_) return true;
    int raw = 0;
    pid_t got;
    do got = ::waitpid(pid_, &raw, block ? 0 : WNOHANG);
    while (got < 0 && errno == EINTR);
    if (got == 0) return false;
    if (got < 0)  // ECHILD: kill_registered_children reaped it already; the status is lost.
        status_ = killed_by(SIGKILL);
    else
        status_ = WIFEXITED(raw) ? exited_with(WEXITSTATUS(raw)) : killed_by(WTERMSIG(raw));
    unregister_child(pid_);
    return true;
}

bool Process::is_running() { return !reap(false); }

void Process::send_signal(int signal) {
    if (reap(false))
        throw std::runtime_error("cannot signal " + argv_[0] + " (pid " + std::to_string(pid_) +
                                 "): it already ended, " + status_->describe());
    if (::kill(pid_, signal) != 0)
        throw std::runtime_error("kill(" + std::to_string(pid_) + "): " + std::strerror(errno));
}

std::optional<ExitStatus> Process::wait_exit(std::chrono::milliseconds deadline) {
    try_wait_until([this] { return reap(false); }, deadline);
    return status_;
}

ExitStatus Process::wait_exit_or_throw(std::chrono::milliseconds deadline) {
    if (auto status = wait_exit(deadline)) return *status;
    throw WaitTimeout(timeout_message(
        deadline, argv_[0] + " (pid " + std::to_string(pid_) + ") to exit"));
}

ExitStatus Process::terminate(std::chrono::milliseconds grace) {
    if (!reap(false)) {
        ::kill(pid_, SIGTERM);
        if (!wait_exit(grace)) return kill9();
    }
    return *status_;
}

ExitStatus Process::kill9() {
    if (!reap(false)) {
        ::kill(-pid_, SIGKILL);  // its whole group: what it started dies with it
        ::kill(pid_, SIGKILL);   // in case it left the group
        reap(true);
    }
    return *status_;
}

namespace {

// The command line for messages, words joined by spaces.
std::string command_line(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& word : argv) out += (out.empty() ? "" : " ") + word;
    return out;
}

}  // namespace

CommandResult run_command(std::vector<std::string> argv, Env env,
                          std::chrono::milliseconds timeout) {
    Process process(std::move(argv), std::move(env));
    if (auto status = process.wait_exit(timeout))
        return CommandResult{*status, process.stdout_text(), process.stderr_text()};
    process.kill9();
    throw std::runtime_error(timeout_message(timeout, "'" + command_line(process.argv()) + "' to finish") +
                             "; stdout: " + process.stdout_text() +
                             "; stderr: " + process.stderr_text());
}

}  // namespace onyx::test
