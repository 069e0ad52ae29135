#include "redis/reply_values.hpp"

namespace onyx::redis {
namespace {

protocol::ReplyValue value_of(const redisReply& reply) {
    if (reply.type == REDIS_REPLY_INTEGER) return std::to_string(reply.integer);
    if (reply.type == REDIS_REPLY_STRING || reply.type == REDIS_REPLY_STATUS) return std::string(reply.str, reply.len);
    return std::nullopt;
}

// False, with `problem` set, when there is no reply or Redis answered with an error.
bool answered(const redisReply* reply, std::string_view error, std::string& problem) {
    if (reply == nullptr) problem = error;
    else if (reply->type == REDIS_REPLY_ERROR) problem.assign(reply->str, reply->len);
    else return true;
    return false;
}

}  // namespace

bool array_reply_values(const redisReply* reply, std::string_view error, std::vector<protocol::ReplyValue>& values,
                        std::string& problem) {
    if (!answered(reply, error, problem)) return false;
    if (reply->type != REDIS_REPLY_ARRAY) {
        problem = "the reply is not an array";
        return false;
    }
    values.clear();
    values.reserve(reply->elements);
    for (size_t i = 0; i < reply->elements; ++i) values.push_back(value_of(*reply->element[i]));
    return true;
}

bool single_reply_value(const redisReply* reply, std::string_view error, protocol::ReplyValue& value,
                        std::string& problem) {
    if (!answered(reply, error, problem)) return false;
    if (reply->type == REDIS_REPLY_ARRAY) {
        problem = "the reply is an array, not one value";
        return false;
    }
    value = value_of(*reply);
    return true;
}

}  // namespace onyx::redis
