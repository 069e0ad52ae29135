#include "cli/terminal.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace onyx::cli {

bool stdout_is_tty() { return isatty(STDOUT_FILENO) != 0; }

bool colour_wanted() {
    if (!stdout_is_tty()) return false;
    const char* no_colour = std::getenv("NO_COLOR");
    if (no_colour != nullptr && *no_colour != '\0') return false;
    const char* term = std::getenv("TERM");
    return term == nullptr || std::strcmp(term, "dumb") != 0;
}

void print_out(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }

std::string paint(std::string_view text, Colour colour, bool enabled) {
    static constexpr const char* kCodes[] = {"", "1", "31", "32", "33", "2"};
    if (!enabled || colour == Colour::none || text.empty()) return std::string(text);
    return std::string("\x1b[") + kCodes[static_cast<int>(colour)] + "m" + std::string(text) + "\x1b[0m";
}

}  // namespace onyx::cli
