#include "file_io.hpp"

#include <onyx_background/job.hpp>

#include <cerrno>
#include <cstring>

namespace files_plugin {

void throw_io_error(const std::string& what, const std::string& path, int error) {
    std::string message = what + " " + path + ": " + std::strerror(error);
    throw onyx_background::JobError(error == ENOENT ? "Files::NotFound" : "Files::IOError", message);
}

File open_input(const std::string& path) {
    File file(std::fopen(path.c_str(), "rb"));
    if (!file) throw_io_error("cannot open", path, errno);
    return file;
}

size_t read_chunk(std::FILE* file, const std::string& path, void* buffer, size_t size) {
    size_t n = std::fread(buffer, 1, size, file);
    if (n < size && std::ferror(file)) throw_io_error("cannot read", path, errno);
    return n;
}

void rename_file(const std::string& from, const std::string& to) {
    if (std::rename(from.c_str(), to.c_str()) != 0) throw_io_error("cannot rename to " + to + ":", from, errno);
}

}  // namespace files_plugin
