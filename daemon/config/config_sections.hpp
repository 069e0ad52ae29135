// Section names: the fixed ones from the key table, plus `[queue.<name>]` and the opaque
// `[plugin.<name>]`; and "did you mean" suggestions for typos.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace onyx::config {

/// A section name resolved against the key table.
struct SectionRef {
    std::string pattern;  ///< table section: "worker", "queue.*"; "plugin.*" for plugins
    std::string name;     ///< the <name> of queue.<name> / plugin.<name>, else empty
    bool opaque = false;  ///< plugin section: any key, kept as text
};

/// Resolves `section`. Throws std::invalid_argument with the reason (unknown section, with a
/// suggestion; empty or bad queue/plugin name). Pure; thread-safe.
SectionRef resolve_section(std::string_view section);

/// Throws std::invalid_argument("unknown key ...") naming the closest key of `pattern` or,
/// when none is close, all of them.
[[noreturn]] void throw_unknown_key(std::string_view pattern, std::string_view key);

/// The candidate closest to `word` when it is a likely typo (at most half its letters, or 2,
/// differ), else "". Pure.
std::string closest_name(std::string_view word, std::span<const std::string> candidates);

}  // namespace onyx::config
