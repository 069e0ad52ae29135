// Times and durations as operators read them. Redis holds epoch ms; tables show ISO 8601 UTC
// (protocol/time_text.hpp) and ages like "3s ago"; --json keeps the exact ms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace onyx::cli {

/// An age or span in ms as its two largest units: "850ms", "3s", "4m10s", "2h5m", "3d4h".
/// Negative spans are formatted by their absolute value. Pure.
std::string format_span(int64_t ms);

/// `then` relative to `now`: "3s ago", "in 4m10s", "now" (within 1 ms). Pure.
std::string format_age(int64_t then_ms, int64_t now_ms);

/// "2026-12-01T10:00:00.000Z (3s ago)", or "-" when `epoch_ms` is nullopt. Pure.
std::string format_when(std::optional<int64_t> epoch_ms, int64_t now_ms);

/// A processing time in ms (the attempt's `tim`): "12.345ms" below a second, else format_span
/// of the whole ms ("3s", "1m2s"). Pure.
std::string format_processing(double ms);

}  // namespace onyx::cli
