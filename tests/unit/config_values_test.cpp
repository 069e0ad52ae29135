// Value parsers of the config keys: durations, booleans, fractions, queue lists, suggestions.
#include "config/config.hpp"
#include "config/config_sections.hpp"
#include "config/config_values.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace onyx::config {
namespace {

struct DurationCase {
    std::string text;
    int64_t ms;
};

TEST(ConfigValues, DurationsInEveryUnit) {
    const DurationCase cases[] = {
        {"500ms", 500}, {"5s", 5000},     {"5m", 300000}, {"1h", 3600000},
        {"1d", 86400000}, {"30", 30000}, {"0", 0},        {"0ms", 0},
        {" 2s ", 2000},   {"1000ms", 1000}};
    for (const DurationCase& c : cases) EXPECT_EQ(parse_duration_ms(c.text), c.ms) << c.text;
}

TEST(ConfigValues, BadDurationsSayWhy) {
    for (const std::string text : {"", "s", "ms", "5x", "-5s", "1.5s", "5 s", "5S", "five", "1h30m"}) {
        try {
            parse_duration_ms(text);
            ADD_FAILURE() << "accepted '" << text << "'";
        } catch (const std::invalid_argument& e) {
            EXPECT_STREQ(e.what(), "not a duration (a whole number with ms, s, m, h or d)") << text;
        }
    }
    EXPECT_THROW(parse_duration_ms("999999999999999999d"), std::invalid_argument);
}

TEST(ConfigValues, BooleansInEverySpelling) {
    for (const char* yes : {"true", "yes", "on", "1", "TRUE", "Yes"}) EXPECT_TRUE(parse_bool(yes)) << yes;
    for (const char* no : {"false", "no", "off", "0", "Off"}) EXPECT_FALSE(parse_bool(no)) << no;
    for (const char* bad : {"", "2", "y", "enabled"}) EXPECT_THROW(parse_bool(bad), std::invalid_argument) << bad;
}

TEST(ConfigValues, WholeNumbersAndFractions) {
    EXPECT_EQ(parse_whole_number("42"), 42);
    EXPECT_EQ(parse_whole_number("-3"), -3);
    for (const char* bad : {"", "abc", "4 2", "+4", "4.0", "0x10"})
        EXPECT_THROW(parse_whole_number(bad), std::invalid_argument) << bad;
    EXPECT_THROW(parse_whole_number("99999999999999999999"), std::invalid_argument);
    EXPECT_DOUBLE_EQ(parse_fraction("0.25"), 0.25);
    EXPECT_DOUBLE_EQ(parse_fraction("1"), 1.0);
    for (const char* bad : {"", "1.5", "-0.1", "half", "nan"})
        EXPECT_THROW(parse_fraction(bad), std::invalid_argument) << bad;
}

TEST(ConfigValues, QueueListsKeepPriorityOrderAndTrim) {
    EXPECT_EQ(parse_queue_list("a,b ,c", "--queue"), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(parse_queue_list(" critical , default ", "x"),
              (std::vector<std::string>{"critical", "default"}));
    EXPECT_EQ(parse_queue_list("default", "x"), (std::vector<std::string>{"default"}));
}

TEST(ConfigValues, BadQueueListsNameThePlaceAndReason) {
    const std::pair<std::string, std::string> cases[] = {
        {"", "--queue: queue list '': queue 1 is empty"},
        {"a,,b", "--queue: queue list 'a,,b': queue 2 is empty"},
        {"a,b,", "--queue: queue list 'a,b,': queue 3 is empty"},
        {"a,b,a", "--queue: queue list 'a,b,a': queue 'a' is listed twice"},
        {"a,b\x01", "--queue: queue list 'a,b\x01': queue name holds a control character"},
    };
    for (const auto& [text, message] : cases) {
        try {
            parse_queue_list(text, "--queue");
            ADD_FAILURE() << "accepted '" << text << "'";
        } catch (const ConfigError& e) {
            EXPECT_EQ(e.what(), message);
        }
    }
}

TEST(ConfigValues, DurationsFormatInTheLargestExactUnit) {
    EXPECT_EQ(format_duration_ms(0), "0");
    EXPECT_EQ(format_duration_ms(1500), "1500ms");
    EXPECT_EQ(format_duration_ms(90000), "90s");
    EXPECT_EQ(format_duration_ms(3600000), "1h");
    EXPECT_EQ(format_duration_ms(2 * 86400000LL), "2d");
}

TEST(ConfigValues, ClosestNameCatchesTyposOnly) {
    const std::vector<std::string> keys = {"concurrency", "lease", "queues", "plugins"};
    EXPECT_EQ(closest_name("concurency", keys), "concurrency");
    EXPECT_EQ(closest_name("lesae", keys), "lease");
    EXPECT_EQ(closest_name("queue", keys), "queues");
    EXPECT_EQ(closest_name("colour", keys), "");
    EXPECT_EQ(closest_name("retry", std::vector<std::string>{"retries", "timeout"}), "retries");
}

}  // namespace
}  // namespace onyx::config
