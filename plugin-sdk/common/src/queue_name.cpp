#include <onyx_common/queue_name.hpp>

#include <algorithm>

namespace onyx::common {

std::string queue_name_problem(std::string_view queue) {
    const auto is_control = [](unsigned char c) { return c < 0x20 || c == 0x7f; };
    if (queue.empty()) return "queue name is empty";
    if (queue.find(',') != std::string_view::npos) return "queue name holds a ','";
    if (std::any_of(queue.begin(), queue.end(), is_control)) return "queue name holds a control character";
    return {};
}

}  // namespace onyx::common
