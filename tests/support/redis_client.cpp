#include "support/redis_client.hpp"

#include <hiredis/hiredis.h>

#include <stdexcept>
#include <sys/time.h>

namespace onyx::test {
namespace {

const char* type_name(Reply::Type type) {
    switch (type) {
    case Reply::Type::string: return "string";
    case Reply::Type::array: return "array";
    case Reply::Type::integer: return "integer";
    case Reply::Type::nil: return "nil";
    case Reply::Type::status: return "status";
    case Reply::Type::error: return "error";
    }
    return "?";
}

Reply convert(const redisReply& raw) {
    Reply out;
    switch (raw.type) {
    case REDIS_REPLY_STRING: out.type = Reply::Type::string; break;
    case REDIS_REPLY_ARRAY: out.type = Reply::Type::array; break;
    case REDIS_REPLY_INTEGER: out.type = Reply::Type::integer; break;
    case REDIS_REPLY_STATUS: out.type = Reply::Type::status; break;
    case REDIS_REPLY_ERROR: out.type = Reply::Type::error; break;
    default: out.type = Reply::Type::nil; break;
    }
    if (raw.str) out.str.assign(raw.str, raw.len);
    out.integer = raw.integer;
    for (size_t i = 0; i < raw.elements; ++i) out.elements.push_back(convert(*raw.element[i]));
    return out;
}

timeval to_timeval(std::chrono::milliseconds ms) {
    return timeval{static_cast<time_t>(ms.count() / 1000),
                   static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

void free_context(redisContext* context) {
    if (context) redisFree(context);
}

[[noreturn]] void fail(const Args& args, const std::string& why) {
    throw std::runtime_error("redis command '" + args.text() + "' failed: " + why);
}

}  // namespace

std::string Reply::describe() const {
    switch (type) {
    case Type::integer: return "integer " + std::to_string(integer);
    case Type::array: return "array of " + std::to_string(elements.size());
    case Type::nil: return "nil";
    default: return std::string(type_name(type)) + " '" + str + "'";
    }
}

std::string Args::text() const {
    std::string out;
    for (const auto& word : words_) out += (out.empty() ? "" : " ") + word;
    return out.size() > 200 ? out.substr(0, 200) + "..." : out;
}

RedisClient::RedisClient(int port, std::chrono::milliseconds timeout)
    : port_(port), timeout_(timeout), context_(nullptr, free_context) {
    connect();
}

RedisClient::~RedisClient() = default;
RedisClient::RedisClient(RedisClient&&) noexcept = default;
RedisClient& RedisClient::operator=(RedisClient&&) noexcept = default;

void RedisClient::connect() {
    context_.reset(redisConnectWithTimeout("127.0.0.1", port_, to_timeval(timeout_)));
    const std::string where = "connect to 127.0.0.1:" + std::to_string(port_) + ": ";
    if (!context_) throw std::runtime_error(where + "out of memory");
    if (context_->err) throw std::runtime_error(where + context_->errstr);
    if (redisSetTimeout(context_.get(), to_timeval(timeout_)) != REDIS_OK)
        throw std::runtime_error(where + "cannot set the command timeout");
}

void RedisClient::reconnect() { connect(); }

Reply RedisClient::command_raw(const Args& args) {
    const auto& words = args.words();
    if (words.empty()) throw std::runtime_error("redis command: no words");
    if (!context_ || context_->err)
        fail(args, "connection unusable after an earlier error; call reconnect()");
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const auto& word : words) {
        argv.push_back(word.data());
        lengths.push_back(word.size());
    }
    auto* raw = static_cast<redisReply*>(redisCommandArgv(
        context_.get(), static_cast<int>(argv.size()), argv.data(), lengths.data()));
    if (!raw) fail(args, context_->errstr);
    Reply reply = convert(*raw);
    freeReplyObject(raw);
    return reply;
}

Reply RedisClient::command(const Args& args) {
    Reply reply = command_raw(args);
    if (reply.is_error()) fail(args, reply.str);
    return reply;
}

std::string RedisClient::get_string(const Args& args) {
    Reply reply = command(args);
    if (reply.type != Reply::Type::string && reply.type != Reply::Type::status)
        fail(args, "expected a string, got " + reply.describe());
    return reply.str;
}

std::optional<std::string> RedisClient::optional_string(const Args& args) {
    Reply reply = command(args);
    if (reply.is_nil()) return std::nullopt;
    if (reply.type != Reply::Type::string)
        fail(args, "expected a string or nil, got " + reply.describe());
    return reply.str;
}

long long RedisClient::integer(const Args& args) {
    Reply reply = command(args);
    if (reply.type != Reply::Type::integer) fail(args, "expected an integer, got " + reply.describe());
    return reply.integer;
}

std::vector<std::string> RedisClient::strings(const Args& args) {
    Reply reply = command(args);
    if (reply.type != Reply::Type::array) fail(args, "expected an array, got " + reply.describe());
    std::vector<std::string> out;
    for (const auto& element : reply.elements) {
        if (element.type != Reply::Type::string && element.type != Reply::Type::status)
            fail(args, "expected string elements, got " + element.describe());
        out.push_back(element.str);
    }
    return out;
}

std::map<std::string, std::string> RedisClient::hgetall(std::string_view key) {
    const auto flat = strings({"HGETALL", key});
    std::map<std::string, std::string> out;
    for (size_t i = 0; i + 1 < flat.size(); i += 2) out[flat[i]] = flat[i + 1];
    return out;
}

}  // namespace onyx::test
