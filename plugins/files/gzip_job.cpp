// Files::Gzip {"path": in, "output": optional out path}: writes a gzip copy of `path` (default
// `<path>.gz`) through a temporary `<out>.part`, so a failed or cancelled attempt leaves no
// half-written output.
#include "file_io.hpp"
#include "settings.hpp"

#include <onyx_background/job.hpp>

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace {

using files_plugin::throw_io_error;

struct GzCloser {
    void operator()(gzFile_s* file) const noexcept { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// Removes the temporary file unless the job got as far as renaming it.
struct PartFile {
    std::string path;
    bool keep = false;
    ~PartFile() {
        if (!keep) std::remove(path.c_str());
    }
};

GzFile open_output(const std::string& path) {
    std::string mode = "wb" + std::to_string(files_plugin::compression_level.load());
    GzFile file(gzopen(path.c_str(), mode.c_str()));
    if (!file) throw_io_error("cannot create", path, errno);
    return file;
}

void compress(onyx_background::JobContext& ctx, std::FILE* in, const std::string& in_path, gzFile out,
              const std::string& out_path) {
    std::vector<char> buffer(64 * 1024);
    while (size_t n = files_plugin::read_chunk(in, in_path, buffer.data(), buffer.size())) {
        ctx.throw_if_cancelled();
        if (gzwrite(out, buffer.data(), static_cast<unsigned>(n)) != static_cast<int>(n))
            throw_io_error("cannot write", out_path, errno);
    }
}

class GzipJob : public onyx_background::Job {
public:
    void perform(onyx_background::JobContext& ctx, const rapidjson::Value& args) override {
        std::string in_path(onyx_background::string_arg(args, "path"));
        std::string out_path(onyx_background::string_arg(args, "output", in_path + ".gz"));
        files_plugin::File in = files_plugin::open_input(in_path);
        PartFile part{out_path + ".part"};
        GzFile out = open_output(part.path);
        compress(ctx, in.get(), in_path, out.get(), part.path);
        if (gzclose(out.release()) != Z_OK) throw_io_error("cannot finish", part.path, errno);
        files_plugin::rename_file(part.path, out_path);
        part.keep = true;
        ctx.info("compressed " + in_path + " to " + out_path);
    }
};

}  // namespace

ONYX_BACKGROUND_JOB("Files::Gzip", GzipJob);
