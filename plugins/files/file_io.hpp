// Small file helpers shared by the jobs of this plugin; errors are JobErrors an operator can read.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

namespace files_plugin {

/// Closes a FILE* (unique_ptr deleter).
struct FileCloser {
    void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};
/// An owned stdio file.
using File = std::unique_ptr<std::FILE, FileCloser>;

/// Opens `path` for reading; throws JobError "Files::NotFound" (missing) or "Files::IOError",
/// naming the file and errno's text.
File open_input(const std::string& path);

/// Reads up to `size` bytes; returns how many (0 at the end). Throws "Files::IOError".
size_t read_chunk(std::FILE* file, const std::string& path, void* buffer, size_t size);

/// Renames `from` to `to` (replacing it); throws "Files::IOError".
void rename_file(const std::string& from, const std::string& to);

/// Throws JobError "Files::IOError" with "<what> <path>: <errno text>".
[[noreturn]] void throw_io_error(const std::string& what, const std::string& path, int error);

}  // namespace files_plugin
