// The SDK stands free of the daemon: no file under plugin-sdk/ includes a daemon header or names
// a daemon source, and the archives users link (the client and the common library below it)
// hold no symbol of a daemon namespace (onyx::config, onyx::redis, onyx::worker, ...).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

const fs::path kSourceDir = ONYX_SOURCE_DIR;

// The folders of daemon/ ("config", "redis", ...): an include starting with one is the daemon's.
std::set<std::string> daemon_folders() {
    std::set<std::string> folders;
    for (const auto& entry : fs::directory_iterator(kSourceDir / "daemon"))
        if (entry.is_directory()) folders.insert(entry.path().filename().string());
    return folders;
}

bool is_cmake(const fs::path& file) {
    const std::string name = file.filename().string();
    return name == "CMakeLists.txt" || file.extension() == ".cmake" || name.ends_with(".cmake.in");
}

// Why `line` of `file` reaches into daemon/, or "" when it does not.
std::string daemon_reference(const fs::path& file, const std::string& line,
                             const std::set<std::string>& folders) {
    static const std::regex include(R"(^\s*#\s*include\s*[<"]([^>"]+)[>"])");
    std::smatch match;
    if (std::regex_search(line, match, include)) {
        const std::string header = match[1];
        const std::string first = header.substr(0, header.find('/'));
        if (header.starts_with("daemon/") || header.find("../") != std::string::npos || folders.count(first))
            return "includes the daemon header " + header;
    }
    const std::string code = is_cmake(file) ? line.substr(0, line.find('#')) : "";
    if (code.find("daemon/") != std::string::npos || code.find("daemon}") != std::string::npos)
        return "names daemon/ in CMake";
    return "";
}

TEST(SdkBoundary, NoFileUnderPluginSdkReachesIntoTheDaemon) {
    const auto folders = daemon_folders();
    ASSERT_TRUE(folders.count("config") && folders.count("worker")) << "no daemon/ in " << kSourceDir;
    size_t scanned = 0;
    for (const auto& entry : fs::recursive_directory_iterator(kSourceDir / "plugin-sdk")) {
        if (!entry.is_regular_file()) continue;
        ++scanned;
        std::ifstream in(entry.path());
        std::string line;
        for (int number = 1; std::getline(in, line); ++number) {
            const std::string why = daemon_reference(entry.path(), line, folders);
            EXPECT_EQ(why, "") << entry.path().string() << ":" << number << ": " << line;
        }
    }
    EXPECT_GT(scanned, 5u) << "plugin-sdk/ looks empty";
}

// `nm -C` of `archive` (which must succeed).
std::string symbols_of(const std::string& archive) {
    std::string out;
    FILE* pipe = popen(("nm -C " + archive).c_str(), "r");
    EXPECT_NE(pipe, nullptr) << archive;
    if (pipe == nullptr) return out;
    char buffer[4096];
    while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
    EXPECT_EQ(pclose(pipe), 0) << "nm -C " << archive;
    return out;
}

// The lines naming an onyx:: namespace other than onyx::common (defined or used).
std::string daemon_symbols(const std::string& symbols) {
    static const std::regex daemon_name(R"((^|[^A-Za-z0-9_])onyx::(?!common::))");
    std::string found;
    std::istringstream lines(symbols);
    for (std::string line; std::getline(lines, line);)
        if (std::regex_search(line, daemon_name)) found += line + "\n";
    return found;
}

struct Archive {
    std::string path;
    std::string expected;  ///< a symbol it must list, so an empty listing cannot pass
};

void PrintTo(const Archive& archive, std::ostream* out) { *out << archive.path; }

class SdkArchives : public testing::TestWithParam<Archive> {};

TEST_P(SdkArchives, HoldNoDaemonSymbol) {
    const std::string symbols = symbols_of(GetParam().path);
    EXPECT_NE(symbols.find(GetParam().expected), std::string::npos) << GetParam().path;
    EXPECT_EQ(daemon_symbols(symbols), "") << GetParam().path;
}

const Archive kClient{ONYX_CLIENT_ARCHIVE, "onyx_background::Client::enqueue_many"};
const Archive kCommon{ONYX_COMMON_ARCHIVE, "onyx::common::parse_redis_url"};

INSTANTIATE_TEST_SUITE_P(ClientAndCommon, SdkArchives, testing::Values(kClient, kCommon),
                         [](const auto& archive) -> std::string { return archive.index == 0 ? "Client" : "Common"; });

}  // namespace
