#include "protocol/client_name.hpp"

namespace onyx::protocol {

std::string escape_client_name(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (c > ' ' && c <= '~' && c != '%') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        }
    }
    return out;
}

namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}
}  // namespace

std::string unescape_client_name(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::string worker_client_name(const std::vector<std::string>& queues) {
    std::string list;
    for (const auto& queue : queues) {
        if (!list.empty()) list += ',';
        list += queue;
    }
    return "onyx-background-worker:" + escape_client_name(list);
}

std::string fiber_client_name(int64_t main_client_id) {
    return "onyx-background-worker-fiber:" + std::to_string(main_client_id);
}

}  // namespace onyx::protocol
