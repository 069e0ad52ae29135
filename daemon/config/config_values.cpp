#include "config/config_values.hpp"

#include "config/config.hpp"

#include <onyx_common/queue_name.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <set>
#include <stdexcept>

namespace onyx::config {
namespace {

bool is_control(char c) { return std::iscntrl(static_cast<unsigned char>(c)) != 0; }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == y;
    });
}

struct DurationUnit {
    std::string_view suffix;
    int64_t ms;
};

// Longest suffix first so "5ms" is not read as 5 minutes and a stray 's'.
constexpr DurationUnit kUnits[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};

}  // namespace

std::string_view trim(std::string_view text) {
    constexpr std::string_view blanks = " \t\r\n";
    const size_t first = text.find_first_not_of(blanks);
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(blanks) - first + 1);
}

int64_t parse_whole_number(std::string_view text) {
    int64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec == std::errc::result_out_of_range) throw std::invalid_argument("number is too large");
    if (text.empty() || ec != std::errc() || ptr != end)
        throw std::invalid_argument("not a whole number");
    return value;
}

bool parse_bool(std::string_view text) {
    for (std::string_view yes : {"true", "yes", "on", "1"})
        if (equals_ignoring_case(text, yes)) return true;
    for (std::string_view no : {"false", "no", "off", "0"})
        if (equals_ignoring_case(text, no)) return false;
    throw std::invalid_argument("not a boolean (true/false, yes/no, on/off, 1/0)");
}

double parse_fraction(std::string_view text) {
    double value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value, std::chars_format::fixed);
    if (text.empty() || ec != std::errc() || ptr != end)
        throw std::invalid_argument("not a decimal number");
    if (!(value >= 0.0 && value <= 1.0)) throw std::invalid_argument("must be from 0 to 1");
    return value;
}

int64_t parse_duration_ms(const std::string& text) {
    const std::string_view view = trim(text);
    int64_t per_unit = 1000;  // a bare number is seconds
    std::string_view digits = view;
    for (const DurationUnit& unit : kUnits) {
        if (view.size() > unit.suffix.size() && view.ends_with(unit.suffix)) {
            per_unit = unit.ms;
            digits = view.substr(0, view.size() - unit.suffix.size());
            break;
        }
    }
    const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    const bool all_digits = !digits.empty() && std::all_of(digits.begin(), digits.end(), is_digit);
    if (!all_digits)
        throw std::invalid_argument("not a duration (a whole number with ms, s, m, h or d)");
    const int64_t count = parse_whole_number(digits);
    if (count > std::numeric_limits<int64_t>::max() / per_unit)
        throw std::invalid_argument("duration is too long");
    return count * per_unit;
}

void check_queue_name(std::string_view name) {
    if (std::string problem = common::queue_name_problem(name); !problem.empty())
        throw std::invalid_argument(problem);
}

void check_namespace(std::string_view ns) {
    if (ns.empty()) throw std::invalid_argument("namespace is empty");
    for (char c : ns)
        if (c == ' ' || is_control(c))
            throw std::invalid_argument("namespace holds a blank or control character");
}

void check_path(std::string_view path) {
    if (path.empty()) throw std::invalid_argument("path is empty");
    if (std::any_of(path.begin(), path.end(), is_control))
        throw std::invalid_argument("path holds a control character");
}

std::vector<std::string> split_queue_list(std::string_view text) {
    std::vector<std::string> names;
    std::set<std::string, std::less<>> seen;
    for (size_t start = 0; start <= text.size();) {
        const size_t comma = std::min(text.find(',', start), text.size());
        const std::string_view name = trim(text.substr(start, comma - start));
        if (name.empty())
            throw std::invalid_argument(fmt::format("queue {} is empty", names.size() + 1));
        check_queue_name(name);
        if (!seen.emplace(name).second)
            throw std::invalid_argument(fmt::format("queue '{}' is listed twice", name));
        names.emplace_back(name);
        start = comma + 1;
    }
    return names;
}

std::vector<std::string> parse_queue_list(const std::string& text, const std::string& origin) {
    try {
        return split_queue_list(text);
    } catch (const std::invalid_argument& e) {
        throw ConfigError(fmt::format("{}: queue list '{}': {}", origin, text, e.what()));
    }
}

std::string format_duration_ms(int64_t ms) {
    if (ms == 0) return "0";
    for (auto unit = std::rbegin(kUnits); unit != std::rend(kUnits); ++unit)
        if (ms % unit->ms == 0) return fmt::format("{}{}", ms / unit->ms, unit->suffix);
    return fmt::format("{}ms", ms);
}

size_t edit_distance(std::string_view a, std::string_view b) {
    // Optimal string alignment: Levenshtein plus one swap of neighbours ("lesae" -> "lease").
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

}  // namespace onyx::config
