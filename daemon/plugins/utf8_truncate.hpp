// Cutting plugin-supplied text to a byte budget without splitting a UTF-8 character.
#pragma once

#include <cstddef>
#include <string_view>

namespace onyx::plugins {

/// The longest prefix of `text` of at most `max_bytes` bytes that does not end inside a UTF-8
/// multi-byte sequence. Invalid UTF-8 is cut at max_bytes as is. Pure; thread-safe.
std::string_view truncate_utf8(std::string_view text, std::size_t max_bytes) noexcept;

}  // namespace onyx::plugins
