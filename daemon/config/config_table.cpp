// The declarative key table (CONVENTIONS 12). Defaults here must equal those in Config; a unit
// test applies every default_text to a fresh Config and compares.
#include "config/config_table.hpp"

#include "config/config_values.hpp"

#include <onyx_common/redis_url.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace onyx::config {
namespace {

using V = ValueType;
using S = const std::string&;
constexpr int64_t kMs = 1, kSec = 1000, kMin = 60 * kSec, kHour = 60 * kMin, kDay = 24 * kHour;

constexpr KeySpec kKeys[] = {
    {"redis", "url", V::redis_url, "redis://127.0.0.1:6379/0", 0, 0,
     [](Config& c, S, Value&& v) { c.redis_url = std::move(v.text); },
     "Redis server: redis://[[user]:password@]host[:port][/db] or unix:///path[?db=N]"},
    {"redis", "namespace", V::ns_name, "onyx-background", 0, 0,
     [](Config& c, S, Value&& v) { c.ns = std::move(v.text); },
     "prefix of every Redis key; must match the producers' namespace"},
    {"redis", "connect_timeout", V::duration, "2s", 10 * kMs, 10 * kMin,
     [](Config& c, S, Value&& v) { c.connect_timeout_ms = v.number; },
     "longest wait for a Redis connection"},
    {"redis", "command_timeout", V::duration, "5s", 10 * kMs, 10 * kMin,
     [](Config& c, S, Value&& v) { c.command_timeout_ms = v.number; },
     "longest wait for one Redis reply"},

    {"worker", "queues", V::queue_list, "default", 0, 0,
     [](Config& c, S, Value&& v) { c.queues = std::move(v.list); },
     "queues to serve, comma-separated, highest priority first"},
    {"worker", "concurrency", V::whole, "10", 1, 1024,
     [](Config& c, S, Value&& v) { c.concurrency = static_cast<int>(v.number); },
     "executor threads, i.e. jobs run at once", kUsedByWorker},
    {"worker", "prefetch", V::whole, "1000", 0, 1000,
     [](Config& c, S, Value&& v) { c.prefetch = static_cast<int>(v.number); },
     "most jobs claimed beyond the free executor slots", kUsedByWorker},
    {"worker", "adaptive_prefetch", V::boolean, "true", 0, 0,
     [](Config& c, S, Value&& v) { c.adaptive_prefetch = v.flag; },
     "prefetch follows the finish rate (about 100 ms of work, at most prefetch); false: always prefetch", kUsedByWorker},
    {"worker", "claim_batch", V::whole, "1000", 1, 1000,
     [](Config& c, S, Value&& v) { c.claim_batch = static_cast<int>(v.number); },
     "most jobs claimed in one Redis round trip", kUsedByWorker},
    {"worker", "plugins", V::text_path, "", 0, 0,
     [](Config& c, S, Value&& v) { c.plugin_dir = std::move(v.text); },
     "directory of job plugins (*.so); default: the installed plugin directory", kUsedByWorker},
    {"worker", "strict_plugins", V::boolean, "true", 0, 0,
     [](Config& c, S, Value&& v) { c.strict_plugins = v.flag; },
     "a plugin file that fails to load stops the start (false: log it and go on)", kUsedByWorker},
    {"worker", "shutdown_timeout", V::duration, "25s", 0, kHour,
     [](Config& c, S, Value&& v) { c.shutdown_timeout_ms = v.number; },
     "on TERM, how long running jobs may finish before they are handed back", kUsedByWorker},
    {"worker", "heartbeat_interval", V::duration, "2s", 100 * kMs, 5 * kMin,
     [](Config& c, S, Value&& v) { c.heartbeat_interval_ms = v.number; },
     "how often the worker tells Redis it is alive", kUsedByWorker},
    {"worker", "lease", V::duration, "10s", kSec, kHour,
     [](Config& c, S, Value&& v) { c.lease_ms = v.number; },
     "a worker silent this long is dead and its jobs are taken back; > heartbeat_interval"},

    {"watcher", "interval", V::duration, "1s", 10 * kMs, kHour,
     [](Config& c, S, Value&& v) { c.watcher_interval_ms = v.number; },
     "how often scheduled and retrying jobs that are due are moved to their queue", kUsedByWatcher},
    {"watcher", "promote_batch", V::whole, "1000", 1, 100000,
     [](Config& c, S, Value&& v) { c.promote_batch = static_cast<int>(v.number); },
     "most due jobs moved in one round trip", kUsedByWatcher},

    {"log", "level", V::log_level, "info", 0, 0,
     [](Config& c, S, Value&& v) { c.log_level = v.level; },
     "most verbose level written: error, warn, info or debug"},

    {"queue.*", "retries", V::whole, "25", 0, 1000,
     [](Config& c, S q, Value&& v) { c.queue_settings[q].retries = static_cast<int>(v.number); },
     "retries after the first attempt before a job is dead"},
    {"queue.*", "backoff_base", V::duration, "15s", 0, kDay,
     [](Config& c, S q, Value&& v) { c.queue_settings[q].backoff_base_ms = v.number; },
     "delay before the first retry; it grows exponentially", kUsedByWorker},
    {"queue.*", "backoff_cap", V::duration, "1h", 0, 30 * kDay,
     [](Config& c, S q, Value&& v) { c.queue_settings[q].backoff_cap_ms = v.number; },
     "largest retry delay; >= backoff_base", kUsedByWorker},
    {"queue.*", "backoff_jitter", V::fraction, "0.25", 0, 0,
     [](Config& c, S q, Value&& v) { c.queue_settings[q].backoff_jitter = v.real; },
     "fraction of each delay drawn at random, 0 to 1", kUsedByWorker},
    {"queue.*", "timeout", V::duration, "0", 0, 7 * kDay,
     [](Config& c, S q, Value&& v) { c.queue_settings[q].timeout_ms = v.number; },
     "a job running longer fails; 0 = no limit", kUsedByWorker},
    {"queue.*", "completed_ttl", V::duration, "1d", kSec, 365 * kDay,
     [](Config& c, S q, Value&& v) { c.queue_settings[q].completed_ttl_ms = v.number; },
     "completed attempts, and the hashes of jobs that completed, are deleted after this", kUsedByWatcher},
    {"queue.*", "failed_ttl", V::duration, "7d", kSec, 365 * kDay,
     [](Config& c, S q, Value&& v) { c.queue_settings[q].failed_ttl_ms = v.number; },
     "failed attempts are deleted after this", kUsedByWatcher},
    {"queue.*", "dead_ttl", V::duration, "30d", kSec, 365 * kDay,
     [](Config& c, S q, Value&& v) { c.queue_settings[q].dead_ttl_ms = v.number; },
     "dead jobs are deleted after this", kUsedByWatcher},
    {"queue.*", "max_completed", V::whole, "100000", 0, 100000000,
     [](Config& c, S q, Value&& v) { c.queue_settings[q].max_completed = v.number; },
     "most completed attempts kept; the oldest go first", kUsedByWatcher},
    {"queue.*", "max_failed", V::whole, "100000", 0, 100000000,
     [](Config& c, S q, Value&& v) { c.queue_settings[q].max_failed = v.number; },
     "most failed attempts kept; the oldest go first", kUsedByWatcher},
    {"queue.*", "max_dead", V::whole, "100000", 0, 100000000,
     [](Config& c, S q, Value&& v) { c.queue_settings[q].max_dead = v.number; },
     "most dead jobs kept; the oldest go first", kUsedByWatcher},
};

std::string bounds_reason(const KeySpec& spec) {
    if (spec.type == V::duration)
        return fmt::format("must be from {} to {}", format_duration_ms(spec.min),
                           format_duration_ms(spec.max));
    return fmt::format("must be from {} to {}", spec.min, spec.max);
}

Value parse_unbounded(const KeySpec& spec, std::string_view text) {
    Value value;
    switch (spec.type) {
    case V::text_path: check_path(text); value.text = text; break;
    case V::ns_name: check_namespace(text); value.text = text; break;
    case V::whole: value.number = parse_whole_number(text); break;
    case V::duration: value.number = parse_duration_ms(std::string(text)); break;
    case V::fraction: value.real = parse_fraction(text); break;
    case V::boolean: value.flag = parse_bool(text); break;
    case V::queue_list: value.list = split_queue_list(text); break;
    case V::log_level:
        if (!support::parse_log_level(text, value.level))
            throw std::invalid_argument("not a log level (error, warn, info, debug)");
        break;
    case V::redis_url: common::parse_redis_url(text); value.text = text; break;
    }
    return value;
}

}  // namespace

std::span<const KeySpec> config_keys() { return kKeys; }

const KeySpec* find_key(std::string_view section, std::string_view key) {
    for (const KeySpec& spec : kKeys)
        if (spec.section == section && spec.key == key) return &spec;
    return nullptr;
}

Value parse_value(const KeySpec& spec, std::string_view text) {
    Value value = parse_unbounded(spec, text);
    const bool bounded = spec.type == V::whole || spec.type == V::duration;
    if (bounded && (value.number < spec.min || value.number > spec.max))
        throw std::invalid_argument(bounds_reason(spec));
    return value;
}

}  // namespace onyx::config
