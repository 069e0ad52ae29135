// truncate_utf8: error messages from plugins are cut to a byte budget without splitting a
// character.
#include "plugins/utf8_truncate.hpp"

#include <gtest/gtest.h>

namespace {

using onyx::plugins::truncate_utf8;

TEST(PluginUtf8Truncate, ShortTextIsUntouched) {
    EXPECT_EQ(truncate_utf8("héllo", 6), "héllo");
    EXPECT_EQ(truncate_utf8("", 0), "");
}

TEST(PluginUtf8Truncate, AsciiIsCutAtTheLimit) { EXPECT_EQ(truncate_utf8("abcdef", 4), "abcd"); }

TEST(PluginUtf8Truncate, TwoByteCharacterIsNotSplit) {
    EXPECT_EQ(truncate_utf8("a\xC3\xA9", 2), "a");          // é would be split
    EXPECT_EQ(truncate_utf8("a\xC3\xA9z", 3), "a\xC3\xA9");  // é fits
}

TEST(PluginUtf8Truncate, ThreeAndFourByteCharactersAreNotSplit) {
    EXPECT_EQ(truncate_utf8("x\xE2\x82\xAC", 3), "x");          // €
    EXPECT_EQ(truncate_utf8("x\xF0\x9F\x98\x80", 4), "x");      // 😀
    EXPECT_EQ(truncate_utf8("x\xF0\x9F\x98\x80y", 5), "x\xF0\x9F\x98\x80");
}

TEST(PluginUtf8Truncate, InvalidUtf8IsCutAtTheLimit) {
    EXPECT_EQ(truncate_utf8("\x80\x80\x80\x80\x80\x80", 5), "\x80\x80\x80\x80\x80");
}

}  // namespace
