// The zlib example jobs (plugins/files) on real files in a temporary directory.
#include "plugins/job_invocation.hpp"
#include "plugins/plugin_registry.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using onyx::plugins::JobOutcome;

// CRC-32 (IEEE, as zlib and gzip use), bit by bit: slow and obviously right.
uint32_t crc32_of(const std::string& data) {
    uint32_t crc = 0xFFFFFFFFu;
    for (unsigned char byte : data) {
        crc ^= byte;
        for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

uint32_t le32(const std::string& bytes, size_t at) {
    uint32_t value = 0;
    for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
    return value;
}

class PluginFilesJobs : public testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/onyx-plugin-files-XXXXXX";
        ASSERT_NE(mkdtemp(pattern), nullptr);
        dir_ = pattern;
        registry_.load_directory(ONYX_EXAMPLE_PLUGIN_DIR, onyx::plugins::LoadOptions{});
        content_ = "";
        for (int i = 0; i < 20000; ++i) content_ += "line " + std::to_string(i) + " of the input\n";
        std::ofstream(dir_ / "input.txt", std::ios::binary) << content_;
    }
    void TearDown() override { fs::remove_all(dir_); }

    JobOutcome run(std::string_view cls, const std::string& args) {
        onyx::plugins::JobInvocation invocation;
        invocation.job_id = "files-test";
        invocation.job_class = cls;
        invocation.args_json = args;
        return onyx::plugins::invoke_job(*registry_.find(cls), invocation);
    }

    fs::path dir_;
    std::string content_;
    onyx::plugins::PluginRegistry registry_;
};

TEST_F(PluginFilesJobs, GzipWritesAGzipFileOfTheInput) {
    JobOutcome outcome = run("Files::Gzip", R"({"path": ")" + (dir_ / "input.txt").string() + "\"}");
    ASSERT_TRUE(outcome.ok) << outcome.error_class << ": " << outcome.error_message;
    std::string gz = read_file(dir_ / "input.txt.gz");
    ASSERT_GT(gz.size(), 18u);
    EXPECT_LT(gz.size(), content_.size() / 2);
    EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1fu);  // gzip magic
    EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8bu);
    EXPECT_EQ(le32(gz, gz.size() - 8), crc32_of(content_));  // trailer: CRC-32, then size
    EXPECT_EQ(le32(gz, gz.size() - 4), content_.size());
    EXPECT_FALSE(fs::exists(dir_ / "input.txt.gz.part"));
}

TEST_F(PluginFilesJobs, GzipWritesToTheOutputArgument) {
    std::string args = R"({"path": ")" + (dir_ / "input.txt").string() + R"(", "output": ")" +
                       (dir_ / "other.gz").string() + "\"}";
    ASSERT_TRUE(run("Files::Gzip", args).ok);
    EXPECT_TRUE(fs::exists(dir_ / "other.gz"));
}

TEST_F(PluginFilesJobs, GzipOfAMissingFileFailsNamingIt) {
    std::string missing = (dir_ / "missing.txt").string();
    JobOutcome outcome = run("Files::Gzip", R"({"path": ")" + missing + "\"}");
    EXPECT_EQ(outcome.error_class, "Files::NotFound");
    EXPECT_EQ(outcome.error_message, "cannot open " + missing + ": No such file or directory");
    EXPECT_FALSE(fs::exists(missing + ".gz.part"));
}

TEST_F(PluginFilesJobs, ChecksumWritesTheCrc32) {
    std::string input = (dir_ / "input.txt").string();
    ASSERT_TRUE(run("Files::Checksum", R"({"path": ")" + input + "\"}").ok);
    char expected[9];
    std::snprintf(expected, sizeof expected, "%08x", crc32_of(content_));
    EXPECT_EQ(read_file(input + ".crc32"), std::string(expected) + "  " + input + "\n");
}

TEST_F(PluginFilesJobs, ChecksumWithoutPathIsInvalidArguments) {
    EXPECT_EQ(run("Files::Checksum", "{}").error_class, "InvalidArguments");
}

}  // namespace
