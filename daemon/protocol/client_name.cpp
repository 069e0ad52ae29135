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
