#include "cli/failed_command.hpp"

#include "cli/human_time.hpp"
#include "cli/job_records.hpp"
#include "cli/json_output.hpp"
#include "cli/queue_discovery.hpp"
#include "cli/table.hpp"

#include <cstdio>
#include <map>
#include <optional>

namespace onyx::cli {
namespace {

// One listed failure: the set entry, its attempt hash (when still there) and the job class
// (nullopt when the job key is not a hash).
struct Failure {
    RecentEntry entry;
    AttemptRecord attempt;
    std::optional<std::string> job_class;
};

std::vector<Failure> read_failures(CommandContext& ctx, const std::vector<RecentEntry>& entries) {
    std::vector<std::string> ids;
    for (const auto& e : entries) ids.push_back(e.id);
    std::map<std::string, AttemptRecord> by_id;
    for (auto& a : read_attempts(ctx, ids)) by_id[a.id] = std::move(a);
    std::vector<std::string> jobs;
    for (const auto& e : entries) jobs.push_back(by_id.count(e.id) ? by_id[e.id].job_id : "");
    const auto classes = read_job_classes(ctx, jobs);
    std::vector<Failure> out;
    for (size_t i = 0; i < entries.size(); ++i) {
        AttemptRecord a = by_id.count(entries[i].id) ? by_id[entries[i].id] : AttemptRecord{entries[i].id};
        out.push_back({entries[i], std::move(a), classes[i]});
    }
    return out;
}

void print_table(const std::vector<Failure>& failures, int64_t now) {
    Table table({{"failed"}, {"queue"}, {"job"}, {"class"}, {"error"}, {"message"}, {"attempt"}});
    for (const auto& f : failures)
        table.add_row({format_age(f.entry.score_ms, now), f.entry.queue, f.attempt.job_id.empty() ? "-" : f.attempt.job_id,
                       class_column(f.job_class), Cell(f.attempt.error_class, Colour::red),
                       f.attempt.message.empty() ? "-" : shorten(f.attempt.message, 60), f.entry.id});
    print_out(table.render(colour_wanted()));
}

void print_failures_json(const std::vector<Failure>& failures, int64_t now) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    json_member(w, "time_ms", now);
    json_key(w, "failed");
    w.StartArray();
    for (const auto& f : failures) {
        w.StartObject();
        json_member(w, "failed_ms", f.entry.score_ms);
        json_member(w, "queue", f.entry.queue);
        json_member(w, "attempt", f.entry.id);
        json_member(w, "job", f.attempt.job_id);
        json_member(w, "class", f.job_class);
        json_member(w, "error_class", f.attempt.error_class);
        json_member(w, "message", f.attempt.message);
        json_member(w, "started_ms", f.attempt.started_ms);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    print_json(buffer);
}

}  // namespace

int run_failed_command(const config::Config& config, const ListOptions& options) {
    return run_guarded("failed", [&]() -> int {
        CommandContext ctx(config);
        const int64_t since = since_bound(options, ctx.now_ms);
        const auto queues = discover_queues(ctx, options.queues).queues;
        const auto entries =
            read_recent(ctx, queues, [&](const std::string& q) { return ctx.keys.failed(q); }, options.limit, since);
        const auto failures = read_failures(ctx, entries);
        if (options.json) print_failures_json(failures, ctx.now_ms);
        else print_table(failures, ctx.now_ms);
        return kExitOk;
    });
}

}  // namespace onyx::cli
