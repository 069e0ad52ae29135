// The common library's pure parts: the queue name rule, the JSON check and v4 UUIDs.
#include <onyx_common/json_check.hpp>
#include <onyx_common/queue_name.hpp>
#include <onyx_common/uuid.hpp>

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

namespace onyx::common {
namespace {

TEST(QueueNameRule, AcceptsAnyTextWithoutCommaOrControl) {
    for (const char* name : {"default", "mail:high", "non-default", "café", "a b"})
        EXPECT_EQ(queue_name_problem(name), "") << name;
}

TEST(QueueNameRule, SaysWhatIsWrong) {
    EXPECT_EQ(queue_name_problem(""), "queue name is empty");
    EXPECT_EQ(queue_name_problem("a,b"), "queue name holds a ','");
    EXPECT_EQ(queue_name_problem("tab\there"), "queue name holds a control character");
    EXPECT_EQ(queue_name_problem(std::string("nul\0", 4)), "queue name holds a control character");
    EXPECT_EQ(queue_name_problem("del\x7f"), "queue name holds a control character");
    EXPECT_EQ(queue_name_problem("a\x01,b"), "queue name holds a ','");  // ',' is named first
}

TEST(JsonCheck, AcceptsOneCompleteValue) {
    for (const char* json : {"{}", "[1,2]", "\"text\"", "3", "{\"a\":{\"b\":[null]}}"})
        EXPECT_EQ(json_problem(json), "") << json;
}

TEST(JsonCheck, NamesTheOffsetOfTheError) {
    EXPECT_EQ(json_problem("{oops").rfind("invalid JSON at offset 1: ", 0), 0u) << json_problem("{oops");
    EXPECT_NE(json_problem(""), "");
    EXPECT_NE(json_problem("{} {}"), "");
    EXPECT_NE(json_problem(std::string(200000, '[')), "");  // deep nesting fails, not the stack
    // Valid syntax, but a string that is not UTF-8: refused, naming the encoding.
    EXPECT_NE(json_problem("{\"a\":\"\xff\xfe\"}").find("Invalid encoding in string"), std::string::npos)
        << json_problem("{\"a\":\"\xff\xfe\"}");
    EXPECT_NE(json_problem("\"\xc3\""), "");  // a character cut in half
    EXPECT_EQ(json_problem("{\"name\":\"J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x98\x80\"}"), "");  // ü € 😀
}

TEST(UuidV4, MakesDistinctLowercaseVersion4Ids) {
    const std::regex v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    const auto ids = new_uuids(1000);
    ASSERT_EQ(ids.size(), 1000u);
    for (const auto& id : ids) EXPECT_TRUE(std::regex_match(id, v4)) << id;
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
    EXPECT_TRUE(std::regex_match(new_uuid(), v4));
    EXPECT_TRUE(new_uuids(0).empty());
}

}  // namespace
}  // namespace onyx::common
