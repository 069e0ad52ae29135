#include "protocol/attempt_records.hpp"

#include <onyx_background/keys.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace onyx::protocol {
namespace {

template <typename T>
T parse_number(std::string_view text) {
    T number = 0;
    std::from_chars(text.data(), text.data() + text.size(), number);
    return number;
}

template <typename T>
T parse_number(const ReplyValue& value) {
    return value ? parse_number<T>(std::string_view(*value)) : T{0};
}

// The distinct queues of `items` in order of first appearance: the scripts' KEYS groups.
template <typename Item>
std::vector<std::string> distinct_queues(const std::vector<Item>& items) {
    std::vector<std::string> queues;
    for (const auto& item : items)
        if (std::find(queues.begin(), queues.end(), item.queue) == queues.end()) queues.push_back(item.queue);
    return queues;
}

// 1-based index of `queue` in `queues` (present), as text: how a block names its KEYS group.
std::string queue_index(const std::vector<std::string>& queues, std::string_view queue) {
    return std::to_string(std::find(queues.begin(), queues.end(), queue) - queues.begin() + 1);
}

// "EVALSHA sha <numkeys>", then one group of keys per queue, built by `group`.
template <typename Group>
std::vector<std::string> evalsha_with_queue_keys(std::string_view script_sha, const std::vector<std::string>& queues,
                                                 size_t keys_per_queue, Group group) {
    std::vector<std::string> argv = {"EVALSHA", std::string(script_sha), std::to_string(queues.size() * keys_per_queue)};
    for (const auto& q : queues) {
        auto keys = group(q);
        argv.insert(argv.end(), keys.begin(), keys.end());
    }
    return argv;
}

}  // namespace

uint32_t parse_failures(std::string_view text) {
    uint32_t number = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec != std::errc() || end != text.data() + text.size() || number >= 1000000000u) return 0;
    return number;
}

std::vector<std::string> claim_arguments(std::string_view script_sha, std::string_view ns,
                                         std::string_view worker_id, int64_t wrk, int64_t now_ms,
                                         const std::vector<std::string>& queues,
                                         const std::vector<std::string>& attempt_ids) {
    const onyx_background::Keys keys{std::string(ns)};
    std::vector<std::string> argv = {"EVALSHA", std::string(script_sha), std::to_string(1 + 4 * queues.size()),
                                     keys.paused()};
    argv.reserve(argv.size() + 5 * queues.size() + 4 + attempt_ids.size());
    for (const auto& q : queues)
        argv.insert(argv.end(), {keys.reserved(worker_id, q), keys.ready(q), keys.latest(q), keys.processing(q)});
    argv.insert(argv.end(), {std::string(ns), std::string(worker_id), std::to_string(wrk), std::to_string(now_ms)});
    argv.insert(argv.end(), queues.begin(), queues.end());
    argv.insert(argv.end(), attempt_ids.begin(), attempt_ids.end());
    return argv;
}

bool parse_claim_reply(const std::vector<ReplyValue>& values, const std::vector<std::string>& queues,
                       const std::vector<std::string>& attempt_ids, int64_t now_ms, ClaimResult& out,
                       std::string& error) {
    if (values.empty()) {
        error = "claim reply is empty (it starts with the paused queues)";
        return false;
    }
    out.paused.assign(queues.size(), false);
    const std::string paused = values[0].value_or("");
    for (size_t start = 0; start < paused.size();) {
        size_t comma = paused.find(',', start);
        if (comma == std::string::npos) comma = paused.size();
        const auto index = parse_number<size_t>(std::string_view(paused).substr(start, comma - start));
        if (index >= 1 && index <= queues.size()) out.paused[index - 1] = true;
        start = comma + 1;
    }
    for (size_t i = 1; i < values.size();) {
        const auto queue_index = parse_number<size_t>(values[i]);
        const auto count = i + 1 < values.size() ? parse_number<size_t>(values[i + 1]) : 0;
        if (queue_index < 1 || queue_index > queues.size() || count == 0 || values.size() - (i + 2) < count ||
            out.jobs.size() + count > attempt_ids.size()) {
            error = fmt::format("claim reply block at value {} is malformed (queue index, count, ids; "
                                "{} values, {} attempt ids)", i, values.size(), attempt_ids.size());
            return false;
        }
        for (size_t k = 0; k < count; ++k) {
            const ReplyValue& id = values[i + 2 + k];
            if (!id) {
                error = fmt::format("claim reply value {} is nil, not a job id", i + 2 + k);
                return false;
            }
            ClaimedJob job;
            job.queue = queues[queue_index - 1];
            job.job_id = *id;
            job.attempt_id = attempt_ids[out.jobs.size()];
            job.started_at_ms = now_ms;
            out.jobs.push_back(std::move(job));
        }
        i += 2 + count;
    }
    return true;
}

void apply_job_hash(ClaimedJob& job, const std::vector<std::string_view>& fields_and_values) {
    job.job_exists = !fields_and_values.empty();
    job.job_class.reset();
    job.args_json = "{}";
    for (size_t i = 0; i + 1 < fields_and_values.size(); i += 2) {
        const std::string_view field = fields_and_values[i], value = fields_and_values[i + 1];
        if (field.size() != 3) continue;
        if (field == "cls") job.job_class = std::string(value);
        else if (field == "arg") job.args_json = value.empty() ? "{}" : std::string(value);
        else if (field == "qat") job.enqueued_at_ms = parse_number<int64_t>(value);
        else if (field == "fal") job.failed_before = parse_failures(value);
        else if (field == "tmo") job.timeout_ms = parse_number<int64_t>(value);
        else if (field == "rty") {
            // Not a whole number: as if absent (the queue's limit applies), as the watcher reads it.
            int limit = 0;
            const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
            if (ec == std::errc() && end == value.data() + value.size()) job.retry_limit = limit;
        }
    }
}

std::vector<std::string> finish_arguments(std::string_view script_sha, std::string_view ns,
                                          const std::vector<FinishedAttempt>& attempts) {
    const onyx_background::Keys keys{std::string(ns)};
    const std::vector<std::string> queues = distinct_queues(attempts);
    std::vector<std::string> argv = evalsha_with_queue_keys(script_sha, queues, 6, [&](const std::string& q) {
        return std::vector<std::string>{keys.processing(q), keys.completed(q), keys.failed(q),
                                        keys.retry(q),      keys.dead(q),      keys.stats(q)};
    });
    argv.reserve(argv.size() + 1 + attempts.size() * 3 + 8);
    argv.push_back(std::string(ns));
    // Completed attempts grouped by queue (3 values each), in order of first appearance.
    for (const auto& queue : queues) {
        const size_t count_at = argv.size() + 2;
        argv.insert(argv.end(), {"c", queue_index(queues, queue), ""});
        size_t count = 0;
        for (const auto& a : attempts) {
            if (!a.error_class.empty() || a.queue != queue) continue;
            argv.insert(argv.end(), {a.attempt_id, std::to_string(a.finished_at_ms), format_processing_ms(a.processing_ms)});
            ++count;
        }
        if (count == 0) argv.resize(count_at - 2);  // this queue has failures only
        else argv[count_at] = std::to_string(count);
    }
    for (const auto& a : attempts) {
        if (a.error_class.empty()) continue;
        argv.insert(argv.end(), {"f", queue_index(queues, a.queue), a.attempt_id, a.job_id,
                                 std::to_string(a.finished_at_ms), format_processing_ms(a.processing_ms), a.error_class,
                                 a.error_message, a.retry_at_ms ? std::to_string(*a.retry_at_ms) : std::string()});
    }
    return argv;
}

std::vector<std::string> orphans_arguments(std::string_view script_sha, std::string_view ns,
                                           std::string_view worker_id, int64_t now_ms, std::string_view message,
                                           int room, const std::vector<std::string>& queues,
                                           const std::vector<std::string>& known_attempt_ids) {
    const onyx_background::Keys keys{std::string(ns)};
    std::vector<std::string> argv = evalsha_with_queue_keys(script_sha, queues, 3, [&](const std::string& q) {
        return std::vector<std::string>{keys.processing(q), keys.failed(q), keys.ready(q)};
    });
    argv.insert(argv.end(), {std::string(ns), std::string(worker_id), std::to_string(now_ms),
                             std::string(errors::kClaimLost), std::string(message), std::to_string(std::max(room, 0))});
    argv.insert(argv.end(), known_attempt_ids.begin(), known_attempt_ids.end());
    return argv;
}

bool parse_orphans_reply(const std::vector<ReplyValue>& values, const std::vector<std::string>& queues,
                         OrphansResult& out, std::string& error) {
    if (values.empty() || !values[0] || (values.size() - 1) % 4 != 0) {
        error = fmt::format("orphans reply has {} values, not a count and then 4 per adopted attempt", values.size());
        return false;
    }
    out.handed_back = parse_number<int64_t>(values[0]);
    for (size_t i = 1; i < values.size(); i += 4) {
        const auto queue_index = parse_number<size_t>(values[i]);
        if (queue_index < 1 || queue_index > queues.size() || !values[i + 1] || !values[i + 2]) {
            error = fmt::format("orphans reply block at value {} is malformed (queue index, attempt id, job id, sta)", i);
            return false;
        }
        ClaimedJob job;
        job.queue = queues[queue_index - 1];
        job.attempt_id = *values[i + 1];
        job.job_id = *values[i + 2];
        job.started_at_ms = parse_number<int64_t>(values[i + 3]);
        out.adopted.push_back(std::move(job));
    }
    return true;
}

std::vector<std::string> hand_back_arguments(std::string_view script_sha, std::string_view ns, int64_t now_ms,
                                             std::string_view error_class, std::string_view message,
                                             bool count_as_failure, const std::vector<ClaimedJob>& jobs) {
    const onyx_background::Keys keys{std::string(ns)};
    const std::vector<std::string> queues = distinct_queues(jobs);
    std::vector<std::string> argv = evalsha_with_queue_keys(script_sha, queues, 4, [&](const std::string& q) {
        return std::vector<std::string>{keys.processing(q), keys.failed(q), keys.ready(q), keys.stats(q)};
    });
    argv.insert(argv.end(), {std::string(ns), std::to_string(now_ms), std::string(error_class), std::string(message),
                             count_as_failure ? "1" : "0"});
    // The script LPUSHes one by one: the last pushed ends first, so push in reverse to keep
    // the claim (FIFO) order at the head of ready.
    for (auto it = jobs.rbegin(); it != jobs.rend(); ++it)
        argv.insert(argv.end(), {queue_index(queues, it->queue), it->attempt_id, it->job_id});
    return argv;
}

std::string format_processing_ms(double ms) { return fmt::format("{:.3f}", ms < 0 ? 0.0 : ms); }

}  // namespace onyx::protocol
