// The one table of configuration keys: section, key, type, default, bounds, setter and a line
// of description. The INI loader, set_value(), the tests and the docs all read this table.
#pragma once

#include "config/config.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace onyx::config {

/// How a key's text is read (config_values.hpp has the parsers).
enum class ValueType {
    text_path,   ///< non-empty, no control characters
    ns_name,     ///< non-empty, no blanks or control characters
    whole,       ///< whole number within [min, max]
    duration,    ///< "500ms", "5s", "5m", "1h", "1d", bare = seconds; ms within [min, max]
    fraction,    ///< decimal from 0 to 1
    boolean,     ///< true/false, yes/no, on/off, 1/0
    queue_list,  ///< comma-separated queue names, priority order, no repeats
    log_level,   ///< error, warn, info or debug
    redis_url,   ///< checked with common::parse_redis_url; kept as text
};

/// A parsed value; the field that matters follows the key's ValueType.
struct Value {
    int64_t number = 0;              ///< whole, duration (ms)
    double real = 0;                 ///< fraction
    bool flag = false;               ///< boolean
    std::string text;                ///< text_path, ns_name, redis_url
    std::vector<std::string> list;   ///< queue_list
    support::LogLevel level = support::LogLevel::info;  ///< log_level
};

/// Stores a parsed value into the config. `name` is the `<name>` of a `[queue.<name>]`
/// section and empty for fixed sections.
using Setter = void (*)(Config& config, const std::string& name, Value&& value);

/// Which daemons read a key (a bit set). The CLI reads what it needs of any key.
enum UsedBy : uint8_t {
    kUsedByWorker = 1,
    kUsedByWatcher = 2,
    kUsedByBoth = kUsedByWorker | kUsedByWatcher,
};

/// One configuration key. `section` is a fixed name ("worker") or "queue.*".
struct KeySpec {
    std::string_view section;
    std::string_view key;
    ValueType type;
    std::string_view default_text;  ///< as written in the file; "" = computed elsewhere
    int64_t min;                    ///< bounds of whole and duration (ms) values
    int64_t max;
    Setter set;
    std::string_view description;
    uint8_t used_by = kUsedByBoth;  ///< UsedBy bits: the daemons that act on this key
};

/// One warning per key the config file set that the daemon `process` (kUsedByWorker or
/// kUsedByWatcher) does not use, naming the place, the key and who uses it, e.g.
/// "f.ini:12: [queue.mail] max_completed is used by the watcher only; this worker ignores it".
/// Pure; thread-safe.
std::vector<std::string> unused_key_warnings(const Config& config, uint8_t process);

/// Every key, in documentation order. Static storage; thread-safe.
std::span<const KeySpec> config_keys();

/// The key `key` of section pattern `section` ("worker", "queue.*"), or nullptr.
const KeySpec* find_key(std::string_view section, std::string_view key);

/// Parses `text` (already trimmed) as `spec` says, bounds included. Throws
/// std::invalid_argument with the bare reason, e.g. "must be from 1 to 1024".
Value parse_value(const KeySpec& spec, std::string_view text);

}  // namespace onyx::config
