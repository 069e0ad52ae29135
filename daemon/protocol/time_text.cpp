#include "protocol/time_text.hpp"

#include <fmt/format.h>

#include <charconv>
#include <ctime>

namespace onyx::protocol {
namespace {

bool read_int(std::string_view text, size_t& pos, size_t digits, int& out) {
    if (pos + digits > text.size()) return false;
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + digits, out);
    if (ec != std::errc() || end != text.data() + pos + digits) return false;
    pos += digits;
    return true;
}

bool expect(std::string_view text, size_t& pos, std::string_view chars) {
    if (pos >= text.size() || chars.find(text[pos]) == std::string_view::npos) return false;
    ++pos;
    return true;
}

// Days from 1970-01-01 to a civil date (proleptic Gregorian), for a UTC time without timegm's
// dependence on the TZ environment.
int64_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<int64_t>(era) * 146097 + doe - 719468;
}

int days_in_month(int year, int month) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : kDays[month - 1];
}

std::optional<int64_t> parse_offset_ms(std::string_view text, size_t& pos) {
    if (pos == text.size()) return std::nullopt;  // a time without zone is ambiguous
    if (text[pos] == 'Z' || text[pos] == 'z') {
        ++pos;
        return 0;
    }
    const int sign = text[pos] == '-' ? -1 : 1;
    int hh = 0, mm = 0;
    if (!expect(text, pos, "+-") || !read_int(text, pos, 2, hh)) return std::nullopt;
    if (pos < text.size() && text[pos] == ':') ++pos;
    if (!read_int(text, pos, 2, mm)) return std::nullopt;
    return sign * (hh * 3600000LL + mm * 60000LL);
}

}  // namespace

std::optional<int64_t> parse_time_ms(std::string_view text) {
    int64_t epoch = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), epoch);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) {
        if (epoch < 0) return std::nullopt;  // before 1970: a typo, not a time
        return epoch;
    }
    size_t pos = 0;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!read_int(text, pos, 4, y) || !expect(text, pos, "-") || !read_int(text, pos, 2, mo) ||
        !expect(text, pos, "-") || !read_int(text, pos, 2, d) || !expect(text, pos, "Tt ") ||
        !read_int(text, pos, 2, h) || !expect(text, pos, ":") || !read_int(text, pos, 2, mi) ||
        !expect(text, pos, ":") || !read_int(text, pos, 2, s)) {
        return std::nullopt;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60) return std::nullopt;
    int64_t ms = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        int64_t scale = 100;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            ms += (text[pos++] - '0') * scale;
            scale /= 10;
        }
    }
    auto offset = parse_offset_ms(text, pos);
    if (!offset || pos != text.size()) return std::nullopt;
    const int64_t seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    return seconds * 1000 + ms - *offset;
}

std::string format_time_ms(int64_t epoch_ms) {
    const auto seconds = static_cast<time_t>(epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000);
    const int64_t ms = epoch_ms - static_cast<int64_t>(seconds) * 1000;
    tm parts{};
    gmtime_r(&seconds, &parts);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", parts.tm_year + 1900, parts.tm_mon + 1,
                       parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, ms);
}

}  // namespace onyx::protocol
