// Text -> value parsers for config keys. Each throws std::invalid_argument whose what() is the
// bare reason ("not a whole number"); the caller adds the place, key and text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace onyx::config {

/// `text` without leading and trailing blanks (space, tab, CR, LF). Pure.
std::string_view trim(std::string_view text);

/// A whole decimal number, optional leading '-'. Throws on anything else or int64 overflow.
int64_t parse_whole_number(std::string_view text);

/// true/false, yes/no, on/off, 1/0, any letter case. Throws on other text.
bool parse_bool(std::string_view text);

/// A decimal number from 0 to 1 ("0.25", "1"). Throws on other text.
double parse_fraction(std::string_view text);

/// Throws when `name` is empty or holds a ',' or a control character. Pure.
void check_queue_name(std::string_view name);

/// Throws when `ns` is empty or holds a blank or a control character. Pure.
void check_namespace(std::string_view ns);

/// Throws when `path` is empty or holds a control character. Pure.
void check_path(std::string_view path);

/// Splits "a, b,c" into trimmed names; throws on an empty list, a bad name or a repeated
/// name. Pure.
std::vector<std::string> split_queue_list(std::string_view text);

/// Milliseconds in the largest unit that divides them: 90000 -> "90s", 3600000 -> "1h",
/// 1500 -> "1500ms", 0 -> "0". Pure.
std::string format_duration_ms(int64_t ms);

/// Edit distance between two words (insert, delete, replace, swap of neighbours). Pure.
size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace onyx::config
