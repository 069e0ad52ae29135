// Files::Checksum {"path": file, "output": optional out path}: computes the file's CRC-32 and
// Adler-32, logs both and writes "<crc32 hex>  <path>\n" to `<path>.crc32` (or `output`).
#include "file_io.hpp"

#include <onyx_background/job.hpp>

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

namespace {

struct Sums {
    uLong crc = crc32(0L, Z_NULL, 0);
    uLong adler = adler32(0L, Z_NULL, 0);
};

Sums checksum(onyx_background::JobContext& ctx, const std::string& path) {
    files_plugin::File in = files_plugin::open_input(path);
    std::vector<unsigned char> buffer(64 * 1024);
    Sums sums;
    while (size_t n = files_plugin::read_chunk(in.get(), path, buffer.data(), buffer.size())) {
        ctx.throw_if_cancelled();
        sums.crc = crc32(sums.crc, buffer.data(), static_cast<uInt>(n));
        sums.adler = adler32(sums.adler, buffer.data(), static_cast<uInt>(n));
    }
    return sums;
}

std::string hex8(uLong value) {
    char text[9];
    std::snprintf(text, sizeof text, "%08lx", value & 0xffffffffUL);
    return text;
}

void write_text(const std::string& path, const std::string& text) {
    files_plugin::File out(std::fopen(path.c_str(), "wb"));
    if (!out) files_plugin::throw_io_error("cannot create", path, errno);
    if (std::fwrite(text.data(), 1, text.size(), out.get()) != text.size() || std::fflush(out.get()) != 0)
        files_plugin::throw_io_error("cannot write", path, errno);
}

class ChecksumJob : public onyx_background::Job {
public:
    void perform(onyx_background::JobContext& ctx, const rapidjson::Value& args) override {
        std::string path(onyx_background::string_arg(args, "path"));
        std::string out_path(onyx_background::string_arg(args, "output", path + ".crc32"));
        Sums sums = checksum(ctx, path);
        write_text(out_path, hex8(sums.crc) + "  " + path + "\n");
        ctx.info(path + ": crc32 " + hex8(sums.crc) + ", adler32 " + hex8(sums.adler));
    }
};

}  // namespace

ONYX_BACKGROUND_JOB("Files::Checksum", ChecksumJob);
