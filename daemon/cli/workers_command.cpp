#include "cli/workers_command.hpp"

#include "cli/command_context.hpp"
#include "cli/human_time.hpp"
#include "cli/json_output.hpp"
#include "cli/table.hpp"
#include "cli/worker_census.hpp"
#include "protocol/time_text.hpp"

#include <cstdio>

namespace onyx::cli {
namespace {

std::string text_or_dash(const std::optional<int64_t>& value) {
    return value ? std::to_string(*value) : "-";
}

std::string joined(const std::vector<std::string>& queues) {
    std::string out;
    for (const auto& q : queues) out += (out.empty() ? "" : ",") + q;
    return out;
}

std::vector<Cell> worker_cells(const WorkerInfo& w, int64_t now) {
    const std::string busy = (w.busy ? std::to_string(*w.busy) : "?") + "/" + std::to_string(w.concurrency);
    return {w.id, w.host, text_or_dash(w.pid), joined(w.queues), busy, text_or_dash(w.done),
            Cell(w.state, w.state == "running" || w.state == "original" ? Colour::green : Colour::yellow),
            w.started_ms ? protocol::format_time_ms(*w.started_ms) : "-",
            w.beat_ms ? format_age(*w.beat_ms, now) : "-"};
}

void print_table(const WorkerCensus& census, int64_t now) {
    Table table({{"worker"}, {"host"}, {"pid", true}, {"queues"}, {"busy", true}, {"done", true}, {"state"},
                 {"started"}, {"beat"}});
    for (const auto& w : census.workers) table.add_row(worker_cells(w, now));
    print_out(table.render(colour_wanted()));
}

void write_worker(JsonWriter& w, const WorkerInfo& info) {
    w.StartObject();
    json_member(w, "id", info.id);
    json_member(w, "host", info.host);
    json_member(w, "pid", info.pid);
    json_key(w, "queues");
    w.StartArray();
    for (const auto& q : info.queues) json_string(w, q);
    w.EndArray();
    json_member(w, "concurrency", info.concurrency);
    json_member(w, "busy", info.busy);
    json_member(w, "done", info.done);
    json_member(w, "state", info.state);
    json_member(w, "version", info.version);
    json_member(w, "started_ms", info.started_ms);
    json_member(w, "beat_ms", info.beat_ms);
    json_member(w, "lease_ms", info.lease_ms);
    w.EndObject();
}

void print_json(const WorkerCensus& census, int64_t now) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    json_member(w, "time_ms", now);
    json_member(w, "source", census.source);
    json_key(w, "workers");
    w.StartArray();
    for (const auto& info : census.workers) write_worker(w, info);
    w.EndArray();
    w.EndObject();
    onyx::cli::print_json(buffer);
}

}  // namespace

int run_workers_command(const config::Config& config, bool json) {
    return run_guarded("workers", [&]() -> int {
        CommandContext ctx(config);
        const WorkerCensus census = take_census(ctx);
        if (json) print_json(census, ctx.now_ms);
        else print_table(census, ctx.now_ms);
        return kExitOk;
    });
}

}  // namespace onyx::cli
