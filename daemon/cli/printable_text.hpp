// Making bytes read from Redis printable. Job data is written by any producer and may hold
// any bytes: a NUL, a terminal escape (ESC), bytes that are not UTF-8. The human output shows
// them escaped so they can neither cut a line short nor drive the terminal; the --json output
// replaces what is not UTF-8 so it stays valid JSON text (docs/cli.md, "Odd bytes").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace onyx::cli {

/// `bytes` as a terminal may show them: valid UTF-8 characters as they are ("café", "日本"),
/// control characters (C0 including NUL and ESC, DEL, C1) and bytes that are not valid UTF-8
/// (stray, truncated, overlong, surrogate) as `\xNN` per byte, lowercase hex. A backslash is
/// kept as is, so the result is unchanged by a second call. Pure; thread-safe.
std::string escape_for_terminal(std::string_view bytes);

/// Appends the terminal form (as escape_for_terminal) of the first character of `bytes` to
/// `out`: one valid UTF-8 character, or one control or invalid sequence. Returns the number of
/// bytes of `bytes` it used, at least 1; 0 only when `bytes` is empty. Pure; thread-safe.
std::size_t append_terminal_piece(std::string& out, std::string_view bytes);

/// `bytes` with each maximal invalid UTF-8 subpart (Unicode's "U+FFFD substitution of
/// maximal subparts") replaced by U+FFFD; valid text, NUL and control characters included,
/// is kept. Pure; thread-safe.
std::string replace_invalid_utf8(std::string_view bytes);

}  // namespace onyx::cli
