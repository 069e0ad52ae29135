#include "support/child_registry.hpp"

#include <csignal>
#include <cstdlib>
#include <mutex>
#include <set>

#include <sys/wait.h>

namespace onyx::test {
namespace {

struct Registry {
    std::mutex mutex;
    std::set<pid_t> pids;
};

// Leaked on purpose: it must outlive every static destructor and the atexit handler.
Registry& registry() {
    static Registry* instance = new Registry;
    return *instance;
}

void kill_at_exit() { kill_registered_children(); }

}  // namespace

void register_child(pid_t pid) {
    static std::once_flag installed;
    std::call_once(installed, [] { std::atexit(kill_at_exit); });
    std::lock_guard lock(registry().mutex);
    registry().pids.insert(pid);
}

void unregister_child(pid_t pid) {
    std::lock_guard lock(registry().mutex);
    registry().pids.erase(pid);
}

void kill_registered_children() noexcept {
    std::set<pid_t> pids;
    {
        std::lock_guard lock(registry().mutex);
        pids.swap(registry().pids);
    }
    for (pid_t pid : pids) {
        ::kill(-pid, SIGKILL);  // the child's process group: it and what it started
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
}

}  // namespace onyx::test
