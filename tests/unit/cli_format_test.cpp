// Pure formatting pieces of the operator CLI: human times, aligned tables, shortening, odd
// bytes made printable (terminal escapes, valid UTF-8 JSON), the job/attempt decoding and the
// queue-from-key rule used only for original-only data.
#include "cli/human_time.hpp"
#include "cli/job_records.hpp"
#include "cli/json_output.hpp"
#include "cli/printable_text.hpp"
#include "cli/queue_discovery.hpp"
#include "cli/table.hpp"

#include <rapidjson/document.h>

#include <gtest/gtest.h>

#include <string>

using namespace std::string_literals;

namespace onyx::cli {
namespace {

TEST(CliHumanTime, SpansUseTheTwoLargestUnits) {
    EXPECT_EQ(format_span(0), "0ms");
    EXPECT_EQ(format_span(850), "850ms");
    EXPECT_EQ(format_span(3000), "3s");
    EXPECT_EQ(format_span(250000), "4m10s");
    EXPECT_EQ(format_span(2 * 3600000 + 5 * 60000 + 7000), "2h5m");
    EXPECT_EQ(format_span(3 * 86400000LL + 4 * 3600000), "3d4h");
    EXPECT_EQ(format_span(-3000), "3s");
}

TEST(CliHumanTime, AgesSayAgoOrIn) {
    EXPECT_EQ(format_age(1000, 4000), "3s ago");
    EXPECT_EQ(format_age(5000, 4000), "in 1s");
    EXPECT_EQ(format_age(4000, 4000), "now");
    EXPECT_EQ(format_when(std::nullopt, 0), "-");
    EXPECT_EQ(format_when(1767225600000, 1767225603000), "2026-01-01T00:00:00.000Z (3s ago)");
    EXPECT_EQ(format_processing(12.3456), "12.346ms");
    EXPECT_EQ(format_processing(61500.0), "1m1s");
}

TEST(CliTable, RightAlignsNumbersAndMeasuresCodePoints) {
    Table table({{"queue"}, {"ready", true}, {"note"}});
    table.add_row({"mail-ü", "7", "x"});
    table.add_row({"a", "12345", ""});
    EXPECT_EQ(table.render(false),
              "queue   ready  note\n"
              "mail-ü      7  x\n"
              "a       12345\n");
}

TEST(CliTable, ColourOnlyWhenAsked) {
    Table table({{"a"}});
    table.add_row({Cell("x", Colour::red)});
    EXPECT_EQ(table.render(false), "a\nx\n");
    EXPECT_EQ(table.render(true), "\x1b[1ma\x1b[0m\n\x1b[31mx\x1b[0m\n");
}

TEST(CliTable, ShortenCutsAtCodePointsAndFlattensLines) {
    EXPECT_EQ(shorten("abc", 5), "abc");
    EXPECT_EQ(shorten("abcdef", 4), "abc…");
    EXPECT_EQ(shorten("üüüüü", 3), "üü…");
    EXPECT_EQ(shorten("a\nb", 5), "a b");
    EXPECT_EQ(render_fields({{"job", "1"}, {"queue", "q"}}, false), "job    1\nqueue  q\n");
}

TEST(CliPrintableText, ControlAndInvalidBytesAreEscapedValidUtf8Kept) {
    EXPECT_EQ(escape_for_terminal("café 日本 😀 a\\b"), "café 日本 😀 a\\b");
    EXPECT_EQ(escape_for_terminal("Jobs::No\0op\xff"s), "Jobs::No\\x00op\\xff");
    EXPECT_EQ(escape_for_terminal("\x1b[31mred\x7f"), "\\x1b[31mred\\x7f");
    EXPECT_EQ(escape_for_terminal("a\nb\tc\r"), "a\\x0ab\\x09c\\x0d");
    EXPECT_EQ(escape_for_terminal("\xc2\x9b" "2J"), "\\xc2\\x9b2J") << "C1 CSI";
    EXPECT_EQ(escape_for_terminal("\xc2\xa0"), "\xc2\xa0") << "U+00A0 is printable";
}

TEST(CliPrintableText, MalformedSequencesAreEscapedByteByByte) {
    EXPECT_EQ(escape_for_terminal("x\xe6\x97"), "x\\xe6\\x97") << "truncated at the end";
    EXPECT_EQ(escape_for_terminal("\xe6\x97y"), "\\xe6\\x97y") << "truncated before ASCII";
    EXPECT_EQ(escape_for_terminal("\xc0\xaf"), "\\xc0\\xaf") << "overlong '/'";
    EXPECT_EQ(escape_for_terminal("\xe0\x80\xaf"), "\\xe0\\x80\\xaf") << "overlong, 3 bytes";
    EXPECT_EQ(escape_for_terminal("\xed\xa0\x80"), "\\xed\\xa0\\x80") << "surrogate";
    EXPECT_EQ(escape_for_terminal("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80") << "above U+10FFFF";
    EXPECT_EQ(escape_for_terminal("\x80\xbf\xf8"), "\\x80\\xbf\\xf8") << "stray bytes";
    EXPECT_EQ(escape_for_terminal("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf") << "U+10FFFF is valid";
}

TEST(CliPrintableText, EscapingTwiceChangesNothing) {
    const std::string once = escape_for_terminal("a\0\x1b\xff\xe6\x97日"s);
    EXPECT_EQ(escape_for_terminal(once), once);
    std::string piece;
    EXPECT_EQ(append_terminal_piece(piece, "日本"), 3u);
    EXPECT_EQ(piece, "日");
    EXPECT_EQ(append_terminal_piece(piece, ""), 0u);
}

TEST(CliPrintableText, InvalidUtf8BecomesReplacementCharacters) {
    EXPECT_EQ(replace_invalid_utf8("café 日本"), "café 日本");
    EXPECT_EQ(replace_invalid_utf8("a\0\x1b"s), "a\0\x1b"s) << "controls are the JSON writer's to escape";
    EXPECT_EQ(replace_invalid_utf8("op\xff"), "op\uFFFD");
    EXPECT_EQ(replace_invalid_utf8("a\xe6\x97" "b"), "a\uFFFDb") << "one maximal subpart, one U+FFFD";
    EXPECT_EQ(replace_invalid_utf8("\xed\xa0\x80"), "\uFFFD\uFFFD\uFFFD") << "a surrogate has no valid prefix";
    EXPECT_EQ(replace_invalid_utf8("\xf0\x9f\x98"), "\uFFFD");
}

TEST(CliPrintableText, JsonStringsAreValidUtf8AndKeepNul) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    json_member(w, "class", "Jobs::No\0op\xff"s);
    json_member(w, "message", "\x1b[31mred"s);
    w.EndObject();
    const std::string text(buffer.GetString(), buffer.GetSize());
    EXPECT_EQ(text, "{\"class\":\"Jobs::No\\u0000op\uFFFD\",\"message\":\"\\u001B[31mred\"}");
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
    ASSERT_FALSE(doc.HasParseError()) << text;
    EXPECT_EQ(std::string(doc["class"].GetString(), doc["class"].GetStringLength()), "Jobs::No\0op\uFFFD"s);
}

TEST(CliTable, OddBytesInCellsAreEscapedAndAligned) {
    Table table({{"class"}, {"n", true}});
    table.add_row({"No\0op\xff"s, "1"});
    table.add_row({Cell("\x1b[31m", Colour::red), "2"});
    table.add_row({"café", "3"});
    EXPECT_EQ(table.render(false),
              "class         n\n"
              "No\\x00op\\xff  1\n"
              "\\x1b[31m      2\n"
              "café          3\n");
    EXPECT_EQ(render_fields({{"class", "a\0b\x1b"s}}, false), "class  a\\x00b\\x1b\n");
}

TEST(CliTable, ShortenEscapesAndNeverCutsAnEscape) {
    EXPECT_EQ(shorten("a\0b"s, 60), "a\\x00b");
    EXPECT_EQ(shorten("\x1b\x1b\x1b", 6), "\\x1b…");
    EXPECT_EQ(shorten("ab\x1b", 5), "ab…");
    EXPECT_EQ(shorten("line\none\x07", 60), "line one\\x07");
}

TEST(CliQueueOfKey, OnlyExactPrefixesGiveAQueue) {
    EXPECT_EQ(queue_of_key("onyx-background:ready:mail:high", "onyx-background"), "mail:high");
    EXPECT_EQ(queue_of_key("onyx-background:stats:café", "onyx-background"), "café");
    EXPECT_EQ(queue_of_key("onyx-background:jobs:abc", "onyx-background"), std::nullopt);
    EXPECT_EQ(queue_of_key("onyx-background:ready:", "onyx-background"), std::nullopt);
    EXPECT_EQ(queue_of_key("other:ready:q", "onyx-background"), std::nullopt);
    EXPECT_EQ(escape_glob("a*b?[c]\\"), "a\\*b\\?\\[c\\]\\\\");
}

TEST(CliRecords, DecodeJobAndAttemptWithOriginalFieldsOnly) {
    const JobRecord job = decode_job("j", {{"que", "q"}, {"cls", "Jobs::Nap"}, {"arg", ""}, {"qat", "12"}});
    EXPECT_EQ(job.queue, "q");
    EXPECT_EQ(job.args, "{}");
    EXPECT_EQ(job.enqueued_ms, 12);
    EXPECT_EQ(job.failed_attempts, 0);
    EXPECT_FALSE(job.latest_attempt);
    const AttemptRecord done = decode_attempt("a", {{"sta", "1"}, {"fin", "3"}, {"tim", "1.500"}, {"job", "j"}});
    EXPECT_EQ(attempt_outcome(done), "completed");
    EXPECT_DOUBLE_EQ(*done.processing_ms, 1.5);
    EXPECT_EQ(attempt_outcome(decode_attempt("a", {{"sta", "1"}})), "running");
    EXPECT_EQ(attempt_outcome(decode_attempt("a", {{"err", "Worker Timeout"}})), "timed out");
    EXPECT_EQ(attempt_outcome(decode_attempt("a", {{"err", "Shutdown"}})), "handed back");
    EXPECT_EQ(attempt_outcome(decode_attempt("a", {{"err", "Worker Lost"}})), "put back");
    EXPECT_EQ(attempt_outcome(decode_attempt("a", {{"err", "ArgumentError"}, {"fin", "2"}})), "failed");
}

TEST(CliRecords, AJobKeyOfAnotherTypeIsNamedWithWhatItHolds) {
    EXPECT_EQ(not_a_job_hash_text("ns:jobs:j", "string"), "ns:jobs:j is a string, not a job hash");
    EXPECT_EQ(not_a_job_hash_text("ns:jobs:j", "zset"), "ns:jobs:j is a sorted set, not a job hash");
    EXPECT_EQ(class_column(std::nullopt), "(not a hash)");
    EXPECT_EQ(class_column(std::string()), "-");
    EXPECT_EQ(class_column(std::string("Jobs::Nap")), "Jobs::Nap");
}

}  // namespace
}  // namespace onyx::cli
