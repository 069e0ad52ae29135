// A hiredis reply copied into decoder values: element types, and the replies that are no
// values at all (none, an error, the wrong shape). Replies are built by hand; no Redis.
#include "redis/reply_values.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace onyx::redis {
namespace {

// A hand-built reply; `text` backs str, `children` back element.
struct FakeReply {
    redisReply reply{};
    std::string text;
    std::vector<redisReply*> children;

    FakeReply(int type, std::string body = "", long long integer = 0) : text(std::move(body)) {
        reply.type = type;
        reply.integer = integer;
        if (type == REDIS_REPLY_STRING || type == REDIS_REPLY_STATUS || type == REDIS_REPLY_ERROR) {
            reply.str = text.data();
            reply.len = text.size();
        }
    }
    FakeReply(const FakeReply&) = delete; // `reply` points into this object
    explicit FakeReply(std::vector<FakeReply*> elements) : FakeReply(REDIS_REPLY_ARRAY) {
        for (FakeReply* e : elements) children.push_back(&e->reply);
        reply.element = children.data();
        reply.elements = children.size();
    }
};

TEST(ReplyValues, ArrayElementsAsTextOrNil) {
    FakeReply integer(REDIS_REPLY_INTEGER, "", -42), text(REDIS_REPLY_STRING, std::string("a\0b", 3)),
        status(REDIS_REPLY_STATUS, "OK"), nil(REDIS_REPLY_NIL), nested(std::vector<FakeReply*>{}),
        error(REDIS_REPLY_ERROR, "ERR inner");
    FakeReply array({&integer, &text, &status, &nil, &nested, &error});
    std::vector<protocol::ReplyValue> values;
    std::string problem;
    ASSERT_TRUE(array_reply_values(&array.reply, "", values, problem)) << problem;
    EXPECT_EQ(values, (std::vector<protocol::ReplyValue>{std::string("-42"), std::string("a\0b", 3), std::string("OK"),
                                                         std::nullopt, std::nullopt, std::nullopt}));
}

TEST(ReplyValues, NoReplyAnErrorOrNotAnArrayIsAProblem) {
    std::vector<protocol::ReplyValue> values;
    std::string problem;
    EXPECT_FALSE(array_reply_values(nullptr, "connection lost", values, problem));
    EXPECT_EQ(problem, "connection lost");
    FakeReply error(REDIS_REPLY_ERROR, "NOSCRIPT No matching script");
    EXPECT_FALSE(array_reply_values(&error.reply, "", values, problem));
    EXPECT_EQ(problem, "NOSCRIPT No matching script");
    FakeReply integer(REDIS_REPLY_INTEGER, "", 3);
    EXPECT_FALSE(array_reply_values(&integer.reply, "", values, problem));
    EXPECT_EQ(problem, "the reply is not an array");
}

TEST(ReplyValues, SingleValueOfAScalarReply) {
    protocol::ReplyValue value;
    std::string problem;
    FakeReply integer(REDIS_REPLY_INTEGER, "", 7), nil(REDIS_REPLY_NIL), array(std::vector<FakeReply*>{});
    ASSERT_TRUE(single_reply_value(&integer.reply, "", value, problem)) << problem;
    EXPECT_EQ(value, std::string("7"));
    ASSERT_TRUE(single_reply_value(&nil.reply, "", value, problem)) << problem;
    EXPECT_EQ(value, std::nullopt);
    EXPECT_FALSE(single_reply_value(&array.reply, "", value, problem));
    EXPECT_EQ(problem, "the reply is an array, not one value");
    EXPECT_FALSE(single_reply_value(nullptr, "timed out", value, problem));
    EXPECT_EQ(problem, "timed out");
}

}  // namespace
}  // namespace onyx::redis
