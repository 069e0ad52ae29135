// Example::WordCount {"path": "/some/file.txt"}: counts the lines and words of a text file and
// logs them. [plugin.word_count] max_bytes = N refuses files larger than N bytes.
#include <onyx_background/job.hpp>

#include <atomic>
#include <cstdint>
#include <fstream>
#include <string>

namespace {

std::atomic<std::uint64_t> max_bytes{UINT64_MAX};

// Runs once, on the daemon's main thread, before any job; throwing refuses the plugin.
void init(const onyx_background::PluginConfig& config) {
    if (auto it = config.find("max_bytes"); it != config.end()) max_bytes = std::stoull(it->second);
}

class WordCountJob : public onyx_background::Job {
public:
    void perform(onyx_background::JobContext& ctx, const rapidjson::Value& args) override {
        std::string path(onyx_background::string_arg(args, "path"));  // throws InvalidArguments
        std::ifstream in(path, std::ios::binary);
        if (!in) throw onyx_background::JobError("WordCount::NotFound", "cannot open " + path);
        std::uint64_t lines = 0, words = 0, bytes = 0;
        bool in_word = false;
        for (char c; in.get(c); ++bytes) {
            if (bytes % 65536 == 0) ctx.throw_if_cancelled();  // timeout or shutdown
            if (bytes >= max_bytes) throw std::length_error(path + " is larger than max_bytes");
            bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
            words += !space && !in_word;
            in_word = !space;
            lines += c == '\n';
        }
        ctx.info(path + ": " + std::to_string(lines) + " lines, " + std::to_string(words) + " words");
    }
};

}  // namespace

ONYX_BACKGROUND_PLUGIN("word_count", "1.0");
ONYX_BACKGROUND_PLUGIN_INIT(init);
ONYX_BACKGROUND_JOB("Example::WordCount", WordCountJob);
