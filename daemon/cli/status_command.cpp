#include "cli/status_command.hpp"

#include "cli/command_context.hpp"
#include "cli/json_output.hpp"
#include "cli/printable_text.hpp"
#include "cli/status_report.hpp"
#include "cli/table.hpp"
#include "protocol/time_text.hpp"
#include "support/clock.hpp"

#include <onyx_common/redis_url.hpp>

#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <thread>

namespace onyx::cli {
namespace {

volatile std::sig_atomic_t g_stop = 0;

void on_stop_signal(int) { g_stop = 1; }

std::vector<Column> status_columns() {
    std::vector<Column> columns = {{"queue", false}};
    for (const char* name : {"workers", "fibers", "jps", "ready", "scheduled", "processing", "completed",
                             "failed", "dead", "retries", "paused", "total_completed", "total_failed"})
        columns.push_back({name, true});
    return columns;
}

std::vector<Cell> status_cells(const QueueStatus& s) {
    auto n = [](int64_t v) { return Cell(std::to_string(v)); };
    return {s.queue, n(s.workers), n(s.fibers), n(s.jps), n(s.ready), n(s.scheduled), n(s.processing),
            n(s.completed), Cell(std::to_string(s.failed), s.failed > 0 ? Colour::red : Colour::none),
            Cell(std::to_string(s.dead), s.dead > 0 ? Colour::red : Colour::none), n(s.retries),
            Cell(s.paused ? "yes" : "no", s.paused ? Colour::yellow : Colour::none), n(s.total_completed),
            n(s.total_failed)};
}

std::string render_table(const StatusReport& report, bool colour) {
    Table table(status_columns());
    for (const auto& row : report.queues) table.add_row(status_cells(row));
    return table.render(colour);
}

void write_queue(JsonWriter& w, const QueueStatus& s) {
    w.StartObject();
    json_member(w, "queue", s.queue);
    const std::pair<const char*, int64_t> counts[] = {
        {"workers", s.workers}, {"fibers", s.fibers}, {"jps", s.jps}, {"ready", s.ready},
        {"scheduled", s.scheduled}, {"processing", s.processing}, {"completed", s.completed},
        {"failed", s.failed}, {"dead", s.dead}, {"retries", s.retries},
        {"total_completed", s.total_completed}, {"total_failed", s.total_failed}};
    for (const auto& [key, value] : counts) json_member(w, key, value);
    json_bool(w, "paused", s.paused);
    w.EndObject();
}

std::string render_json(const StatusReport& report, const CommandContext& ctx) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    json_member(w, "time_ms", report.time_ms);
    json_member(w, "redis", ctx.redis.where());
    json_member(w, "namespace", ctx.keys.ns());
    json_member(w, "queue_source", report.queue_source);
    json_member(w, "worker_source", report.worker_source);
    json_member(w, "workers", report.workers);
    json_member(w, "fibers", report.fibers);
    json_key(w, "queues");
    w.StartArray();
    for (const auto& row : report.queues) write_queue(w, row);
    w.EndArray();
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::string render_footer(const StatusReport& report, const CommandContext& ctx, int64_t elapsed_ms) {
    std::string queues;
    // Appended piece by piece: `"," + std::string` (an insert at 0) trips GCC 12's -Wrestrict
    // false positive at -O3 (GCC bug 105651).
    for (const auto& row : report.queues) {
        if (!queues.empty()) queues += ',';
        queues += escape_for_terminal(row.queue);
    }
    return fmt::format("\nelapsed {} ms, redis {}, namespace {}\nqueues ({}): {}\nworkers ({}): {}, fibers {}\n",
                       elapsed_ms, ctx.redis.where(), ctx.keys.ns(), report.queue_source,
                       queues.empty() ? "-" : queues, report.worker_source, report.workers, report.fibers);
}

std::string render(CommandContext& ctx, const StatusOptions& options, bool colour) {
    const int64_t started = support::monotonic_ms();
    ctx.now_ms = support::wall_ms();
    const StatusReport report = read_status_report(ctx, options.queues);
    if (options.json) return render_json(report, ctx);
    std::string out = render_table(report, colour);
    if (options.verbose) out += render_footer(report, ctx, support::monotonic_ms() - started);
    return out;
}

// Sleeps `seconds` in short slices so SIGINT/SIGTERM end the wait promptly.
void pause_for(double seconds) {
    const int64_t until = support::monotonic_ms() + static_cast<int64_t>(seconds * 1000);
    while (!g_stop && support::monotonic_ms() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

int watch(CommandContext& ctx, const StatusOptions& options, bool colour) {
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    const bool tty = stdout_is_tty();
    while (!g_stop) {
        std::string frame = render(ctx, options, colour);
        if (!options.json)
            frame = fmt::format("every {}s: {}\n\n{}", *options.watch_s, protocol::format_time_ms(ctx.now_ms), frame);
        // On a terminal: cursor home and clear, so the table refreshes in place.
        std::fputs(tty ? "\x1b[H\x1b[2J" : "", stdout);
        print_out(frame);
        if (!tty && !options.json) std::fputs("\n", stdout);
        std::fflush(stdout);
        pause_for(*options.watch_s);
    }
    return kExitOk;
}

}  // namespace

int run_status_command(const config::Config& config, const StatusOptions& options) {
    return run_guarded("status", [&]() -> int {
        if (options.watch_s && !(*options.watch_s >= 0.1 && *options.watch_s <= 86400))
            throw CliError(kExitUsage, fmt::format("--watch {}: give seconds between 0.1 and 86400", *options.watch_s));
        CommandContext ctx(config);
        const bool colour = colour_wanted();
        if (options.watch_s) return watch(ctx, options, colour);
        print_out(render(ctx, options, colour));
        return kExitOk;
    });
}

}  // namespace onyx::cli
