#include "cli/job_records.hpp"

#include "protocol/attempt_records.hpp"

#include <fmt/format.h>

#include <charconv>

namespace onyx::cli {
namespace {

std::optional<std::string> field(const FieldMap& fields, const char* name) {
    auto it = fields.find(name);
    if (it == fields.end()) return std::nullopt;
    return it->second;
}

std::optional<int64_t> number(const FieldMap& fields, const char* name) {
    auto text = field(fields, name);
    return text ? parse_integer(*text) : std::nullopt;
}

std::optional<double> decimal(const FieldMap& fields, const char* name) {
    auto text = field(fields, name);
    if (!text || text->empty()) return std::nullopt;
    try {
        return std::stod(*text);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

FieldMap to_map(const common::Reply& reply) {
    FieldMap out;
    const auto flat = reply.strings();
    for (size_t i = 0; i + 1 < flat.size(); i += 2) out[flat[i]] = flat[i + 1];
    return out;
}

// Redis's answer to a read of a key that holds another type.
bool is_wrong_type(const common::Reply& reply) {
    return reply->type == REDIS_REPLY_ERROR && reply.text().starts_with("WRONGTYPE");
}

}  // namespace

JobRecord decode_job(const std::string& id, const FieldMap& fields) {
    JobRecord job;
    job.id = id;
    job.queue = field(fields, "que").value_or("");
    job.job_class = field(fields, "cls").value_or("");
    const auto args = field(fields, "arg");
    if (args && !args->empty()) job.args = *args;
    job.enqueued_ms = number(fields, "qat");
    job.scheduled_ms = number(fields, "pat");
    job.failed_attempts = protocol::parse_failures(field(fields, "fal").value_or(""));
    job.retry_limit = number(fields, "rty");
    job.timeout_ms = number(fields, "tmo");
    job.latest_attempt = field(fields, "lat");
    job.dead_ms = number(fields, "ded");
    return job;
}

AttemptRecord decode_attempt(const std::string& id, const FieldMap& fields) {
    AttemptRecord a;
    a.id = id;
    a.job_id = field(fields, "job").value_or("");
    a.queue = field(fields, "que").value_or("");
    a.started_ms = number(fields, "sta");
    a.finished_ms = number(fields, "fin");
    a.processing_ms = decimal(fields, "tim");
    a.error_class = field(fields, "err").value_or("");
    a.message = field(fields, "msg").value_or("");
    a.wrk = field(fields, "wrk").value_or("");
    a.worker_id = field(fields, "wid").value_or("");
    a.previous = field(fields, "prv");
    return a;
}

std::string attempt_outcome(const AttemptRecord& attempt) {
    if (attempt.error_class == protocol::errors::kWorkerTimeout) return "timed out";
    if (attempt.error_class == protocol::errors::kShutdown) return "handed back";
    if (attempt.error_class == protocol::errors::kWorkerLost) return "put back";
    if (!attempt.error_class.empty()) return "failed";
    return attempt.finished_ms ? "completed" : "running";
}

std::string not_a_job_hash_text(std::string_view key, std::string_view redis_type) {
    const std::string_view type = redis_type == "zset" ? "sorted set" : redis_type;
    return fmt::format("{} is a {}, not a job hash", key, type);
}

std::string class_column(const std::optional<std::string>& job_class) {
    if (!job_class) return "(not a hash)";
    return job_class->empty() ? "-" : *job_class;
}

std::optional<JobRecord> read_job(CommandContext& ctx, const std::string& id) {
    const std::string key = ctx.keys.job(id);
    auto replies = ctx.redis.pipeline({{"HGETALL", key}});
    if (is_wrong_type(replies[0])) {
        // Say what the key holds instead of passing on Redis's WRONGTYPE text. A key deleted or
        // rewritten as a hash since the read is read again.
        const std::string type(ctx.redis.command({"TYPE", key}).text());
        if (type == "none" || type == "hash") return read_job(ctx, id);
        throw NotAJobHash(key, type);
    }
    if (replies[0]->type == REDIS_REPLY_ERROR)
        throw common::RedisError(fmt::format("Redis at {}: HGETALL failed: {}", ctx.redis.where(), replies[0].text()));
    auto fields = to_map(replies[0]);
    if (fields.empty()) return std::nullopt;
    JobRecord job = decode_job(id, fields);
    // Our claim links the latest attempt in `latest:<q>` of the queue it claimed from; a `lat`
    // field is from earlier versions. A producer may have pushed the id to another queue than
    // its `que` says: then look in every known queue's links.
    if (!job.queue.empty()) {
        auto latest = ctx.redis.command({"HGET", ctx.keys.latest(job.queue), id});
        if (latest->type == REDIS_REPLY_STRING) job.latest_attempt = std::string(latest.text());
    }
    if (!job.latest_attempt) {
        std::vector<std::vector<std::string>> lookups;
        for (const std::string& queue : ctx.redis.command({"SMEMBERS", ctx.keys.queues()}).strings())
            if (queue != job.queue) lookups.push_back({"HGET", ctx.keys.latest(queue), id});
        for (const auto& latest : ctx.redis.pipeline(lookups)) {
            if (latest->type != REDIS_REPLY_STRING) continue;
            job.latest_attempt = std::string(latest.text());
            break;
        }
    }
    return job;
}

std::vector<AttemptRecord> read_attempts(CommandContext& ctx, const std::vector<std::string>& ids) {
    std::vector<std::vector<std::string>> commands;
    for (const auto& id : ids) commands.push_back({"HGETALL", ctx.keys.attempt(id)});
    auto replies = ctx.redis.pipeline(commands);
    std::vector<AttemptRecord> out;
    for (size_t i = 0; i < replies.size(); ++i) {
        auto fields = to_map(replies[i]);
        if (!fields.empty()) out.push_back(decode_attempt(ids[i], fields));
    }
    return out;
}

std::vector<std::optional<std::string>> read_job_classes(CommandContext& ctx, const std::vector<std::string>& ids) {
    std::vector<std::vector<std::string>> commands;
    for (const auto& id : ids) commands.push_back({"HGET", ctx.keys.job(id), "cls"});
    std::vector<std::optional<std::string>> out;
    for (const auto& reply : ctx.redis.pipeline(commands)) {
        if (is_wrong_type(reply)) out.emplace_back(std::nullopt);
        else if (reply->type == REDIS_REPLY_ERROR)
            throw common::RedisError(fmt::format("Redis at {}: HGET failed: {}", ctx.redis.where(), reply.text()));
        else out.emplace_back(std::string(reply.text()));
    }
    return out;
}

}  // namespace onyx::cli
