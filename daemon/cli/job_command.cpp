#include "cli/job_command.hpp"

#include "cli/attempt_history.hpp"
#include "cli/command_context.hpp"
#include "cli/human_time.hpp"
#include "cli/json_output.hpp"
#include "cli/table.hpp"
#include "protocol/time_text.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace onyx::cli {
namespace {

// Where the job is now, and when it is due when it waits in `scheduled:<q>` or `retry:<q>`
// (their score is what the watcher goes by; `pat` is only what enqueue asked).
struct JobState {
    std::string text;
    std::optional<int64_t> due_ms;
};

// One pipeline of membership checks, first match wins.
JobState job_state(CommandContext& ctx, const JobRecord& job, const std::vector<AttemptRecord>& attempts) {
    const std::string& q = job.queue;
    auto r = ctx.redis.pipeline({{"ZSCORE", ctx.keys.dead(q), job.id},
                                 {"ZSCORE", ctx.keys.retry(q), job.id},
                                 {"ZSCORE", ctx.keys.scheduled(q), job.id},
                                 {"LPOS", ctx.keys.ready(q), job.id}});
    if (r[0]->type == REDIS_REPLY_STRING) return {"dead", std::nullopt};
    if (r[1]->type == REDIS_REPLY_STRING) {
        const int64_t due = integer_of(r[1]);
        return {fmt::format("waiting for retry (due {})", format_age(due, ctx.now_ms)), due};
    }
    if (r[2]->type == REDIS_REPLY_STRING) return {"scheduled", integer_of(r[2])};
    if (r[3]->type == REDIS_REPLY_INTEGER) return {fmt::format("ready (position {})", r[3]->integer + 1), std::nullopt};
    if (attempts.empty()) return {"unknown", std::nullopt};
    return {attempt_outcome(attempts.back()), std::nullopt};
}

std::string text_or_dash(const std::optional<int64_t>& v, const char* unit = "") {
    return v ? fmt::format("{}{}", *v, unit) : "-";
}

std::string render_job(const JobRecord& job, const JobState& state, int64_t now, bool colour) {
    std::string limit = job.retry_limit ? fmt::format(" (retry limit {})", *job.retry_limit) : "";
    return render_fields({{"job", job.id},
                          {"queue", job.queue},
                          {"class", job.job_class},
                          {"args", job.args},
                          {"state", state.text},
                          {"enqueued", format_when(job.enqueued_ms, now)},
                          {"run at", format_when(state.due_ms ? state.due_ms : job.scheduled_ms, now)},
                          {"failures", fmt::format("{}{}", job.failed_attempts, limit)},
                          {"timeout", text_or_dash(job.timeout_ms, "ms")},
                          {"dead since", format_when(job.dead_ms, now)}},
                         colour);
}

Colour outcome_colour(const std::string& outcome) {
    if (outcome == "completed") return Colour::green;
    if (outcome == "running") return Colour::yellow;
    return Colour::red;
}

std::string render_attempts(const std::vector<AttemptRecord>& attempts, bool colour) {
    Table table({{"#", true}, {"attempt"}, {"outcome"}, {"started"}, {"duration", true}, {"wrk"}, {"error"},
                 {"message"}});
    for (size_t i = 0; i < attempts.size(); ++i) {
        const auto& a = attempts[i];
        const std::string outcome = attempt_outcome(a);
        table.add_row({std::to_string(i + 1), a.id, Cell(outcome, outcome_colour(outcome)),
                       a.started_ms ? protocol::format_time_ms(*a.started_ms) : "-",
                       a.processing_ms ? format_processing(*a.processing_ms) : "-", a.wrk.empty() ? "-" : a.wrk,
                       a.error_class.empty() ? "-" : a.error_class, a.message.empty() ? "-" : shorten(a.message, 60)});
    }
    return table.render(colour);
}

void write_attempt(JsonWriter& w, const AttemptRecord& a) {
    w.StartObject();
    json_member(w, "id", a.id);
    json_member(w, "outcome", attempt_outcome(a));
    json_member(w, "queue", a.queue);
    json_member(w, "started_ms", a.started_ms);
    json_member(w, "finished_ms", a.finished_ms);
    json_key(w, "processing_ms");
    if (a.processing_ms) w.Double(*a.processing_ms);
    else w.Null();
    json_member(w, "error_class", a.error_class.empty() ? std::nullopt : std::optional<std::string>(a.error_class));
    json_member(w, "message", a.message.empty() ? std::nullopt : std::optional<std::string>(a.message));
    json_member(w, "wrk", a.wrk);
    json_member(w, "worker_id", a.worker_id.empty() ? std::nullopt : std::optional<std::string>(a.worker_id));
    w.EndObject();
}

void write_job(JsonWriter& w, const JobRecord& job) {
    json_member(w, "id", job.id);
    json_member(w, "queue", job.queue);
    json_member(w, "class", job.job_class);
    json_member(w, "args", job.args);
    json_member(w, "enqueued_ms", job.enqueued_ms);
    json_member(w, "scheduled_ms", job.scheduled_ms);
    json_member(w, "failed_attempts", job.failed_attempts);
    json_member(w, "retry_limit", job.retry_limit);
    json_member(w, "timeout_ms", job.timeout_ms);
    json_member(w, "dead_ms", job.dead_ms);
}

void print_job_json(const JobRecord& job, const JobState& state, const std::vector<AttemptRecord>& attempts) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    write_job(w, job);
    json_member(w, "state", state.text);
    json_member(w, "due_ms", state.due_ms);
    json_key(w, "attempts");
    w.StartArray();
    for (const auto& a : attempts) write_attempt(w, a);
    w.EndArray();
    w.EndObject();
    print_json(buffer);
}

}  // namespace

int run_job_command(const config::Config& config, const std::string& job_id, bool json) {
    return run_guarded("job", [&]() -> int {
        CommandContext ctx(config);
        const auto job = read_job(ctx, job_id);
        if (!job) throw CliError(kExitNotFound, fmt::format("job {} not found", job_id));
        const auto attempts = read_attempt_history(ctx, *job);
        const JobState state = job_state(ctx, *job, attempts);
        if (json) return print_job_json(*job, state, attempts), kExitOk;
        const bool colour = colour_wanted();
        std::string out = render_job(*job, state, ctx.now_ms, colour) + "\n";
        out += attempts.empty() ? "no attempts\n" : render_attempts(attempts, colour);
        print_out(out);
        return kExitOk;
    });
}

}  // namespace onyx::cli
