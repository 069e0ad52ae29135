#include "cli/human_time.hpp"

#include "protocol/time_text.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace onyx::cli {
namespace {

struct Unit {
    int64_t ms;
    const char* suffix;
};

constexpr Unit kUnits[] = {{86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}};

}  // namespace

std::string format_span(int64_t ms) {
    const int64_t span = ms < 0 ? -ms : ms;
    if (span < 1000) return fmt::format("{}ms", span);
    for (size_t i = 0; i < std::size(kUnits); ++i) {
        if (span < kUnits[i].ms) continue;
        std::string out = fmt::format("{}{}", span / kUnits[i].ms, kUnits[i].suffix);
        const int64_t rest = span % kUnits[i].ms;
        if (i + 1 < std::size(kUnits) && rest >= kUnits[i + 1].ms)
            out += fmt::format("{}{}", rest / kUnits[i + 1].ms, kUnits[i + 1].suffix);
        return out;
    }
    return fmt::format("{}ms", span);
}

std::string format_age(int64_t then_ms, int64_t now_ms) {
    const int64_t delta = now_ms - then_ms;
    if (delta == 0) return "now";
    return delta > 0 ? format_span(delta) + " ago" : "in " + format_span(delta);
}

std::string format_when(std::optional<int64_t> epoch_ms, int64_t now_ms) {
    if (!epoch_ms) return "-";
    return fmt::format("{} ({})", protocol::format_time_ms(*epoch_ms), format_age(*epoch_ms, now_ms));
}

std::string format_processing(double ms) {
    if (ms < 1000.0) return fmt::format("{:.3f}ms", ms);
    return format_span(static_cast<int64_t>(ms));
}

}  // namespace onyx::cli
