#include "cli/printable_text.hpp"

namespace onyx::cli {
namespace {

// The well-formed UTF-8 byte sequences (Unicode Table 3-7): by lead byte, the length and the
// range of the second byte; later bytes are 80..BF. The narrow second ranges exclude
// overlong forms (E0, F0), UTF-16 surrogates (ED) and code points above U+10FFFF (F4).
struct LeadRule {
    unsigned char first, last;    // lead bytes this rule covers
    std::size_t length;           // bytes in the sequence
    unsigned char second_lo, second_hi;
};

constexpr LeadRule kLeadRules[] = {
    {0x00, 0x7F, 1, 0, 0},       {0xC2, 0xDF, 2, 0x80, 0xBF}, {0xE0, 0xE0, 3, 0xA0, 0xBF},
    {0xE1, 0xEC, 3, 0x80, 0xBF}, {0xED, 0xED, 3, 0x80, 0x9F}, {0xEE, 0xEF, 3, 0x80, 0xBF},
    {0xF0, 0xF0, 4, 0x90, 0xBF}, {0xF1, 0xF3, 4, 0x80, 0xBF}, {0xF4, 0xF4, 4, 0x80, 0x8F},
};

// The first character of `bytes` (not empty): its length when well-formed, else the length of
// its maximal invalid subpart (the bytes that could still have begun a valid sequence, >= 1).
struct Step {
    std::size_t length;
    bool valid;
};

Step first_character(std::string_view bytes) {
    const auto lead = static_cast<unsigned char>(bytes[0]);
    for (const LeadRule& rule : kLeadRules) {
        if (lead < rule.first || lead > rule.last) continue;
        for (std::size_t i = 1; i < rule.length; ++i) {
            if (i >= bytes.size()) return {i, false};
            const auto c = static_cast<unsigned char>(bytes[i]);
            const unsigned char lo = i == 1 ? rule.second_lo : 0x80, hi = i == 1 ? rule.second_hi : 0xBF;
            if (c < lo || c > hi) return {i, false};
        }
        return {rule.length, true};
    }
    return {1, false};  // 80..C1 and F5..FF never start a character
}

// C0 controls (NUL, ESC, newline...), DEL, and the C1 controls U+0080..U+009F (C2 80..C2 9F),
// which some terminals obey as escape introducers too.
bool is_control(std::string_view character) {
    const auto lead = static_cast<unsigned char>(character[0]);
    if (character.size() == 1) return lead < 0x20 || lead == 0x7F;
    return character.size() == 2 && lead == 0xC2 && static_cast<unsigned char>(character[1]) <= 0x9F;
}

void append_escaped(std::string& out, std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (const char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 0x0F];
    }
}

}  // namespace

std::size_t append_terminal_piece(std::string& out, std::string_view bytes) {
    if (bytes.empty()) return 0;
    const Step step = first_character(bytes);
    const std::string_view piece = bytes.substr(0, step.length);
    if (step.valid && !is_control(piece)) out += piece;
    else append_escaped(out, piece);
    return step.length;
}

std::string escape_for_terminal(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (std::size_t at = 0; at < bytes.size();) at += append_terminal_piece(out, bytes.substr(at));
    return out;
}

std::string replace_invalid_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (std::size_t at = 0; at < bytes.size();) {
        const Step step = first_character(bytes.substr(at));
        if (step.valid) out += bytes.substr(at, step.length);
        else out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
        at += step.length;
    }
    return out;
}

}  // namespace onyx::cli
