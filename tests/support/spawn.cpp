#include "support/spawn.hpp"

#include "support/child_registry.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <utility>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace onyx::test {
namespace {

std::runtime_error spawn_error(const SpawnRequest& request, const std::string& what, int err) {
    return std::runtime_error("cannot start " + request.program.string() + ": " + what + ": " +
                              std::strerror(err));
}

// "NAME=value" strings: the parent's environment with `extra` added or replaced.
std::vector<std::string> merged_environment(const Env& extra) {
    Env merged;
    for (char** entry = environ; *entry; ++entry) {
        std::string_view text(*entry);
        const auto eq = text.find('=');
        if (eq != std::string_view::npos)
            merged[std::string(text.substr(0, eq))] = std::string(text.substr(eq + 1));
    }
    for (const auto& [name, value] : extra) merged[name] = value;
    std::vector<std::string> out;
    for (const auto& [name, value] : merged) out.push_back(name + "=" + value);
    return out;
}

// NULL-terminated pointer array over `strings`, which must outlive it.
std::vector<char*> c_array(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// Descriptors the child gets as 0, 1, 2 plus the exec-error pipe; all close-on-exec here.
struct ChildFds {
    int in = -1, out = -1, err = -1, report_read = -1, report_write = -1;
    ~ChildFds() {
        for (int fd : {in, out, err, report_read, report_write})
            if (fd >= 0) ::close(fd);
    }
};

void open_child_fds(const SpawnRequest& request, ChildFds& fds) {
    const int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
    fds.in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    fds.out = ::open(request.stdout_file.c_str(), flags, 0644);
    fds.err = ::open(request.stderr_file.c_str(), flags, 0644);
    if (fds.in < 0 || fds.out < 0 || fds.err < 0) throw spawn_error(request, "open", errno);
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw spawn_error(request, "pipe2", errno);
    fds.report_read = pipe_fds[0];
    fds.report_write = pipe_fds[1];
}

// Runs in the forked child: async-signal-safe calls only. Never returns.
[[noreturn]] void exec_child(const SpawnRequest& request, const ChildFds& fds, pid_t parent,
                             char** argv, char** envp) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
    ::setpgid(0, 0);  // own group, so cleanup can kill what the child starts, too
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
    ::dup2(fds.in, 0);
    ::dup2(fds.out, 1);
    ::dup2(fds.err, 2);
    // dup2 onto itself keeps close-on-exec (when the parent had 0-2 closed): clear it.
    for (int fd = 0; fd <= 2; ++fd) ::fcntl(fd, F_SETFD, 0);
    // Sockets of the test (hiredis, other servers) must not leak into the child.
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
        for (int fd = 3; fd < 4096; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    int err = 0;
    if (!request.cwd.empty() && ::chdir(request.cwd.c_str()) != 0) err = errno;
    if (err == 0) {
        ::execve(request.program.c_str(), argv, envp);
        err = errno;
    }
    (void)!::write(fds.report_write, &err, sizeof err);
    ::_exit(127);
}

// Reads the child's exec report: 0 bytes means execve succeeded (the pipe closed on exec).
int read_exec_errno(int fd) {
    int err = 0;
    ssize_t n;
    do n = ::read(fd, &err, sizeof err);
    while (n < 0 && errno == EINTR);
    return n == static_cast<ssize_t>(sizeof err) ? err : 0;
}

}  // namespace

pid_t spawn_child(const SpawnRequest& request) {
    auto env_strings = merged_environment(request.env);
    auto argv_strings = request.argv;
    auto envp = c_array(env_strings);
    auto argv = c_array(argv_strings);
    ChildFds fds;
    open_child_fds(request, fds);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw spawn_error(request, "fork", errno);
    if (pid == 0) exec_child(request, fds, parent, argv.data(), envp.data());
    ::close(std::exchange(fds.report_write, -1));
    if (const int err = read_exec_errno(fds.report_read)) {
        ::waitpid(pid, nullptr, 0);
        throw spawn_error(request, request.cwd.empty() ? "execve" : "chdir/execve", err);
    }
    register_child(pid);
    return pid;
}

std::filesystem::path find_executable(std::string_view name) {
    if (name.find('/') != std::string_view::npos) {
        if (::access(std::string(name).c_str(), X_OK) == 0) return name;
        throw std::runtime_error(std::string(name) + " is not an executable file");
    }
    const char* env_path = std::getenv("PATH");
    const std::string path = env_path ? env_path : "/usr/local/bin:/usr/bin:/bin";
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find(':', start);
        if (end == std::string::npos) end = path.size();
        std::filesystem::path dir = path.substr(start, end - start);
        const auto candidate = (dir.empty() ? "." : dir) / name;
        if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate))
            return candidate;
        start = end + 1;
    }
    throw std::runtime_error(std::string(name) + " not found in PATH (" + path +
                             "); scripts/install-deps installs what the tests need");
}

}  // namespace onyx::test
