// A cheap look at a plugin file before dlopen: a truncated (half-copied) shared object whose
// program headers point past the end of the file makes the dynamic loader map pages that do
// not exist, and the first touch kills the process with SIGBUS. dlopen cannot refuse it.
#pragma once

#include <string>

namespace onyx::plugins {

/// Returns "" when `path` is not a 64-bit ELF file (dlopen then reports what it is) or when
/// every loadable segment, the dynamic segment and the section header table lie inside the
/// file; else a sentence saying what is cut off, e.g. "truncated: segment 2 ends at byte
/// 18432 but the file has 5000 bytes (still being copied?)". Reads the file; thread-safe.
std::string elf_truncation_problem(const std::string& path);

}  // namespace onyx::plugins
