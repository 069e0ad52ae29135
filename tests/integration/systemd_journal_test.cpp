// Log lines for journald, from the real binary: when JOURNAL_STREAM names the stderr the
// daemon writes to (as systemd sets it for StandardError=journal), each line starts with a
// `<N>` syslog priority and has no time stamp (journald adds its own); otherwise, or when
// JOURNAL_STREAM names another stream (a child that inherited the variable but not the
// stream), the line is plain text with a time stamp and the level word. The event used is a
// worker start with a missing plugin directory: one ERROR line, exit 1, no Redis needed.
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace onyx::test {
namespace {

class JournalLog : public ::testing::Test {
protected:
    // Runs the worker with stderr in a file; `journal_stream` is the shell text that sets
    // JOURNAL_STREAM ("" leaves it unset). Returns what the worker wrote to stderr.
    std::string run_worker(const std::string& journal_stream) {
        write_file_text(config_, "");
        const std::string err = tmp_.file("stderr").string();
        const std::string script = "exec 2>'" + err + "'; " + journal_stream + " exec '" +
                                   std::string(paths::onyx_bin) + "' worker --config '" + config_.string() +
                                   "' -r redis://127.0.0.1:1/0 --plugins '" + tmp_.file("no-such-dir").string() + "'";
        const CommandResult result = run_command({"sh", "-c", script}, Env{{"JOURNAL_STREAM", ""}});
        EXPECT_EQ(result.status, exited_with(1)) << read_file_text(err);
        return read_file_text(err);
    }

    TempDir tmp_{"onyx-journal"};
    std::filesystem::path config_ = tmp_.file("empty.ini");
};

TEST_F(JournalLog, PriorityPrefixWhenStderrIsTheJournalStream) {
    const std::string text = run_worker("JOURNAL_STREAM=$(stat -L -c %d:%i /dev/stderr); export JOURNAL_STREAM;");
    EXPECT_TRUE(std::regex_search(text, std::regex("^<3>plugin directory .*no-such-dir")))
        << "expected an ERROR line with priority <3> and no time stamp:\n" << text;
}

TEST_F(JournalLog, PlainLinesWhenJournalStreamNamesAnotherStream) {
    const std::string text = run_worker("JOURNAL_STREAM=1:1; export JOURNAL_STREAM;");
    EXPECT_TRUE(std::regex_search(text, std::regex(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ERROR plugin directory)")))
        << text;
}

TEST_F(JournalLog, PlainLinesWithoutJournalStream) {
    const std::string text = run_worker("unset JOURNAL_STREAM;");
    EXPECT_TRUE(std::regex_search(text, std::regex(R"(^\d{4}-\d\d-\d\dT[0-9:.]+Z ERROR plugin directory)"))) << text;
    EXPECT_EQ(text.find("<3>"), std::string::npos) << text;
}

}  // namespace
}  // namespace onyx::test
