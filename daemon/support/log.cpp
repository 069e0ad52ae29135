#include "support/log.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <ctime>
#include <string>
#include <sys/stat.h>

namespace onyx::support {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::info)};

constexpr std::string_view kLevelWords[] = {"ERROR", "WARN", "INFO", "DEBUG"};
constexpr char kJournalPriority[] = {'3', '4', '6', '7'};

// JOURNAL_STREAM is "<dev>:<inode>" of the journal socket; it counts only when it is our stderr.
bool stderr_is_journal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (stream == nullptr) return false;
    struct stat st {};
    if (fstat(STDERR_FILENO, &st) != 0) return false;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
    return dev == static_cast<unsigned long long>(st.st_dev) &&
           ino == static_cast<unsigned long long>(st.st_ino);
}

const bool g_journal = stderr_is_journal();

}  // namespace

void set_log_level(LogLevel level) { g_level.store(static_cast<int>(level), std::memory_order_relaxed); }

bool log_enabled(LogLevel level) {
    return static_cast<int>(level) <= g_level.load(std::memory_order_relaxed);
}

bool parse_log_level(std::string_view text, LogLevel& out) {
    static constexpr std::string_view names[] = {"error", "warn", "info", "debug"};
    for (int i = 0; i < 4; ++i) {
        if (text == names[i]) {
            out = static_cast<LogLevel>(i);
            return true;
        }
    }
    return false;
}

void write_log_line(LogLevel level, std::string_view message) {
    const int index = static_cast<int>(level);
    std::string line;
    line.reserve(message.size() + 40);
    if (g_journal) {
        line += '<';
        line += kJournalPriority[index];
        line += '>';
    } else {
        timespec ts{};
        clock_gettime(CLOCK_REALTIME, &ts);
        tm parts{};
        gmtime_r(&ts.tv_sec, &parts);
        char stamp[40];
        std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &parts);
        line += fmt::format("{}.{:03}Z {} ", stamp, ts.tv_nsec / 1000000, kLevelWords[index]);
    }
    // Control bytes from Redis data (a `cls` holding NUL or ESC) must not reach the terminal
    // or split a journal line: write them as \xNN.
    for (unsigned char c : message) {
        if (c < 0x20 || c == 0x7f) line += fmt::format("\\x{:02x}", c);
        else line += static_cast<char>(c);
    }
    line += '\n';
    // One write per line; a short write on a pipe is retried for the rest.
    const char* data = line.data();
    size_t left = line.size();
    while (left > 0) {
        ssize_t n = ::write(STDERR_FILENO, data, left);
        if (n <= 0) break;
        data += n;
        left -= static_cast<size_t>(n);
    }
}

}  // namespace onyx::support
