#include "protocol/promote_call.hpp"

#include <fmt/format.h>
#include <onyx_background/keys.hpp>

namespace onyx::protocol {

std::vector<std::string> promote_arguments(std::string_view script_sha, const PromoteCall& call) {
    return {"EVALSHA", std::string(script_sha), "1", onyx_background::Keys(call.ns).queues(), call.ns,
            std::to_string(call.now_ms), std::to_string(call.batch)};
}

bool parse_promote_reply(const std::vector<ReplyValue>& values, PromoteResult& out, std::string& error) {
    int64_t more = 0;
    if (!read_counts("promote", values, 3, {&out.promoted, &more}, error)) return false;
    out.more_due = more != 0;
    out.earliest_due_ms.reset();
    if (values[2] && values[2]->empty()) return true;  // every scheduled and retry set is empty
    out.earliest_due_ms = reply_integer(values[2]);
    if (out.earliest_due_ms) return true;
    error = fmt::format("promote reply value 3 is {}, not a time in ms or \"\"", describe_reply_value(values[2]));
    return false;
}

}  // namespace onyx::protocol
