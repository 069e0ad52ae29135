// Colour for operator output: only when stdout is a terminal, so pipes, files and tests get
// plain text. And writing that output: whole, never through a C string that a NUL would end.
#pragma once

#include <string>
#include <string_view>

namespace onyx::cli {

/// The few colours the tables use.
enum class Colour { none, bold, red, green, yellow, dim };

/// True when stdout is a TTY, $NO_COLOR is unset or empty and $TERM is not "dumb". Reads the
/// environment: call from the main thread.
bool colour_wanted();

/// True when stdout is a terminal (isatty). Thread-safe.
bool stdout_is_tty();

/// Writes all of `text` to stdout (stdio, so in order with printf), whatever bytes it holds.
/// Main thread.
void print_out(std::string_view text);

/// `text` wrapped in the ANSI escape of `colour` when `enabled`, else `text` unchanged. Pure.
std::string paint(std::string_view text, Colour colour, bool enabled);

}  // namespace onyx::cli
