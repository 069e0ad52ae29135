#include <onyx_common/sync_connection.hpp>

#include <fmt/format.h>

#include <sys/time.h>

namespace onyx::common {
namespace {

timeval to_timeval(int64_t ms) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(ms / 1000);
    tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
    return tv;
}

redisContext* open_context(const RedisEndpoint& endpoint, int64_t timeout_ms) {
    const timeval tv = to_timeval(timeout_ms);
    if (!endpoint.unix_path.empty()) return redisConnectUnixWithTimeout(endpoint.unix_path.c_str(), tv);
    return redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, tv);
}

}  // namespace

std::string_view Reply::text() const {
    if (!reply_ || reply_->str == nullptr) return {};
    return {reply_->str, reply_->len};
}

std::vector<std::string> Reply::strings() const {
    std::vector<std::string> out;
    if (!reply_ || reply_->type != REDIS_REPLY_ARRAY) return out;
    out.reserve(reply_->elements);
    for (size_t i = 0; i < reply_->elements; ++i) {
        const redisReply* element = reply_->element[i];
        out.emplace_back(element->str != nullptr ? std::string(element->str, element->len) : std::string());
    }
    return out;
}

SyncConnection::SyncConnection(const RedisEndpoint& endpoint, int64_t timeout_ms,
                               const std::string& client_name)
    : context_(open_context(endpoint, timeout_ms), redisFree), where_(endpoint.redacted()) {
    if (!context_) throw RedisError(fmt::format("cannot reach Redis at {}: out of memory", where_));
    if (context_->err) fail("cannot connect");
    const timeval tv = to_timeval(timeout_ms);
    redisSetTimeout(context_.get(), tv);
    if (!endpoint.password.empty()) {
        if (endpoint.user.empty()) command({"AUTH", endpoint.password});
        else command({"AUTH", endpoint.user, endpoint.password});
    }
    if (endpoint.db != 0) command({"SELECT", std::to_string(endpoint.db)});
    if (!client_name.empty()) command({"CLIENT", "SETNAME", client_name});
}

void SyncConnection::fail(const std::string& doing) {
    throw RedisError(fmt::format("Redis at {}: {}: {}", where_, doing,
                                 context_->errstr[0] != '\0' ? context_->errstr : "connection lost"));
}

void SyncConnection::append(const std::vector<std::string>& argv) {
    std::vector<const char*> parts;
    std::vector<size_t> lengths;
    parts.reserve(argv.size());
    lengths.reserve(argv.size());
    for (const auto& arg : argv) {
        parts.push_back(arg.data());
        lengths.push_back(arg.size());
    }
    if (redisAppendCommandArgv(context_.get(), static_cast<int>(argv.size()), parts.data(),
                               lengths.data()) != REDIS_OK) {
        fail("cannot send command");
    }
}

Reply SyncConnection::read_reply() {
    void* raw = nullptr;
    if (redisGetReply(context_.get(), &raw) != REDIS_OK || raw == nullptr) fail("no reply");
    return Reply(static_cast<redisReply*>(raw));
}

Reply SyncConnection::command(const std::vector<std::string>& argv) {
    append(argv);
    Reply reply = read_reply();
    if (reply->type == REDIS_REPLY_ERROR) {
        throw RedisError(fmt::format("Redis at {}: {} failed: {}", where_,
                                     argv.empty() ? std::string() : argv[0], reply.text()));
    }
    return reply;
}

std::vector<Reply> SyncConnection::pipeline(const std::vector<std::vector<std::string>>& commands) {
    send(commands);
    return receive(commands.size());
}

void SyncConnection::send(const std::vector<std::vector<std::string>>& commands) {
    for (const auto& argv : commands) append(argv);
    // Flush now, so Redis works on this batch while the caller prepares the next one.
    int done = 0;
    while (!done) {
        if (redisBufferWrite(context_.get(), &done) != REDIS_OK) fail("cannot send commands");
    }
}

std::vector<Reply> SyncConnection::receive(size_t count) {
    std::vector<Reply> replies;
    replies.reserve(count);
    for (size_t i = 0; i < count; ++i) replies.push_back(read_reply());
    return replies;
}

}  // namespace onyx::common
