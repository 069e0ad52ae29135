// RAII temporary directory for tests: created with mkdtemp, removed with its content.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace onyx::test {

/// A fresh, private (0700) directory under $TMPDIR (or /tmp), removed recursively by the
/// destructor. Move-only; a moved-from TempDir owns nothing. Not thread-safe.
class TempDir {
public:
    /// Creates `<tmp>/<prefix>.XXXXXX`. Throws std::runtime_error naming the path and errno
    /// text when mkdtemp fails.
    explicit TempDir(std::string_view prefix = "onyx-test");

    /// Removes the directory and everything in it; errors are ignored (best effort).
    ~TempDir();

    TempDir(TempDir&& other) noexcept;
    TempDir& operator=(TempDir&& other) noexcept;
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    /// The directory's absolute path; empty after a move.
    const std::filesystem::path& path() const { return path_; }

    /// `path() / name`, for files the test creates inside (nothing is created here).
    std::filesystem::path file(std::string_view name) const { return path_ / name; }

private:
    void remove() noexcept;

    std::filesystem::path path_;
};

/// Reads a whole file as bytes. Returns "" when it does not exist; throws
/// std::runtime_error when it exists but cannot be read.
std::string read_file_text(const std::filesystem::path& file);

/// Creates or truncates `file` and writes `text` to it. Throws std::runtime_error on failure.
void write_file_text(const std::filesystem::path& file, std::string_view text);

}  // namespace onyx::test
