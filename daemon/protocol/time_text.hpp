// Times as operators type and read them. Redis holds Unix epoch ms (docs/protocol.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace onyx::protocol {

/// Parses an absolute time: ISO 8601 UTC `2026-12-01T10:00:00Z` (fraction of seconds and a
/// `+hh:mm`/`-hh:mm` offset allowed, `T` or a space between date and time; the date must exist,
/// so 2026-02-30 is refused) or a whole, non-negative number of Unix epoch ms. Returns epoch
/// ms, or nullopt when the text is neither. Pure.
std::optional<int64_t> parse_time_ms(std::string_view text);

/// Formats epoch ms as ISO 8601 UTC with milliseconds: `2026-12-01T10:00:00.000Z`. Pure.
std::string format_time_ms(int64_t epoch_ms);

}  // namespace onyx::protocol
