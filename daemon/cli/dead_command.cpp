#include "cli/dead_command.hpp"

#include "cli/human_time.hpp"
#include "cli/job_records.hpp"
#include "cli/json_output.hpp"
#include "cli/queue_discovery.hpp"
#include "cli/table.hpp"

#include <cstdio>
#include <optional>
#include <string>

namespace onyx::cli {
namespace {

// One dead job: the set entry, its hash (absent fields when gone) and its last attempt.
struct DeadJob {
    RecentEntry entry;
    JobRecord job;
    AttemptRecord last;
    bool not_a_hash = false; ///< the job key holds another type: listed, without a class
};

// One job key of another type must not hide the other dead jobs: its row says so instead.
DeadJob read_one(CommandContext& ctx, const RecentEntry& e) {
    try {
        return {e, read_job(ctx, e.id).value_or(JobRecord{e.id, e.queue}), AttemptRecord{}};
    } catch (const NotAJobHash&) {
        return {e, JobRecord{e.id, e.queue}, AttemptRecord{}, true};
    }
}

// The job's class; nullopt when its key is not a hash.
std::optional<std::string> job_class(const DeadJob& d) {
    if (d.not_a_hash) return std::nullopt;
    return d.job.job_class;
}

std::vector<DeadJob> read_dead(CommandContext& ctx, const std::vector<RecentEntry>& entries) {
    std::vector<DeadJob> out;
    for (const auto& e : entries) {
        DeadJob d = read_one(ctx, e);
        if (d.job.latest_attempt) {
            auto last = read_attempts(ctx, {*d.job.latest_attempt});
            if (!last.empty()) d.last = std::move(last.front());
        }
        out.push_back(std::move(d));
    }
    return out;
}

void print_table(const std::vector<DeadJob>& dead, int64_t now) {
    Table table({{"died"}, {"queue"}, {"job"}, {"class"}, {"failures", true}, {"error"}, {"message"}});
    for (const auto& d : dead)
        table.add_row({format_age(d.entry.score_ms, now), d.entry.queue, d.entry.id,
                       class_column(job_class(d)), std::to_string(d.job.failed_attempts),
                       Cell(d.last.error_class.empty() ? "-" : d.last.error_class, Colour::red),
                       d.last.message.empty() ? "-" : shorten(d.last.message, 60)});
    print_out(table.render(colour_wanted()));
}

void print_dead_json(const std::vector<DeadJob>& dead, int64_t now) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    json_member(w, "time_ms", now);
    json_key(w, "dead");
    w.StartArray();
    for (const auto& d : dead) {
        w.StartObject();
        json_member(w, "dead_ms", d.entry.score_ms);
        json_member(w, "queue", d.entry.queue);
        json_member(w, "job", d.entry.id);
        json_member(w, "class", job_class(d));
        json_member(w, "failed_attempts", d.job.failed_attempts);
        json_member(w, "last_attempt", d.job.latest_attempt);
        json_member(w, "error_class", d.last.error_class);
        json_member(w, "message", d.last.message);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    print_json(buffer);
}

}  // namespace

int run_dead_command(const config::Config& config, const ListOptions& options) {
    return run_guarded("dead", [&]() -> int {
        CommandContext ctx(config);
        const int64_t since = since_bound(options, ctx.now_ms);
        const auto queues = discover_queues(ctx, options.queues).queues;
        const auto entries =
            read_recent(ctx, queues, [&](const std::string& q) { return ctx.keys.dead(q); }, options.limit, since);
        const auto dead = read_dead(ctx, entries);
        if (options.json) print_dead_json(dead, ctx.now_ms);
        else print_table(dead, ctx.now_ms);
        return kExitOk;
    });
}

}  // namespace onyx::cli
