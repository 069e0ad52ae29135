// Logging: one line per event on stderr, level-checked before formatting.
#pragma once

#include <fmt/format.h>

#include <string_view>

namespace onyx::support {

/// Severity of a log line, most severe first (same order as onyx_bg_log_level).
enum class LogLevel { error = 0, warn = 1, info = 2, debug = 3 };

/// Sets the most verbose level that is written. Thread-safe (atomic); default info.
void set_log_level(LogLevel level);

/// True when lines of `level` are written now. Thread-safe.
bool log_enabled(LogLevel level);

/// Parses "error", "warn", "info" or "debug". Returns false (and leaves `out`) on other text.
bool parse_log_level(std::string_view text, LogLevel& out);

/// Writes one line (a newline is added) to stderr with one write(2), so lines from several
/// threads never interleave. When stderr is the systemd journal (JOURNAL_STREAM names it) the
/// line gets a `<N>` priority prefix; otherwise a time stamp and the level word. Control bytes
/// (below 0x20, and 0x7f) are written as `\xNN`, so one call is always one line. Thread-safe.
void write_log_line(LogLevel level, std::string_view message);

}  // namespace onyx::support

/// Formats and writes a log line only when its level is enabled: arguments are not formatted
/// for disabled levels. Usage: ONYX_LOG(info, "[{}] Completed", job_id);
#define ONYX_LOG(level, ...)                                                                 \
    do {                                                                                     \
        if (::onyx::support::log_enabled(::onyx::support::LogLevel::level))                  \
            ::onyx::support::write_log_line(::onyx::support::LogLevel::level,                \
                                            ::fmt::format(__VA_ARGS__));                     \
    } while (0)
