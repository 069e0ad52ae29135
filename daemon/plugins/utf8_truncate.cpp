#include "plugins/utf8_truncate.hpp"

namespace onyx::plugins {

namespace {
bool is_continuation_byte(char c) noexcept {
    return (static_cast<unsigned char>(c) & 0xC0u) == 0x80u;
}
}  // namespace

std::string_view truncate_utf8(std::string_view text, std::size_t max_bytes) noexcept {
    if (text.size() <= max_bytes) return text;
    // text[max_bytes] is the first byte dropped: when it continues a character, that character
    // started at most 3 bytes earlier and must go too.
    std::size_t cut = max_bytes;
    for (int step = 0; step < 3 && cut > 0 && is_continuation_byte(text[cut]); ++step) --cut;
    if (is_continuation_byte(text[cut])) cut = max_bytes;  // not UTF-8 after all
    return text.substr(0, cut);
}

}  // namespace onyx::plugins
