#include "protocol/trim_call.hpp"

#include <onyx_background/keys.hpp>

namespace onyx::protocol {
namespace {

void append_policy(std::vector<std::string>& argv, const RetentionPolicy& policy) {
    argv.insert(argv.end(), {std::to_string(policy.completed_ttl_ms), std::to_string(policy.max_completed),
                             std::to_string(policy.failed_ttl_ms), std::to_string(policy.max_failed),
                             std::to_string(policy.dead_ttl_ms), std::to_string(policy.max_dead)});
}

}  // namespace

std::vector<std::string> trim_arguments(std::string_view script_sha, const TrimCall& call) {
    std::vector<std::string> argv = {"EVALSHA", std::string(script_sha), "1", onyx_background::Keys(call.ns).queues(),
                                     call.ns, std::to_string(call.now_ms),
                                     std::to_string(call.batch)};
    append_policy(argv, call.default_policy);
    for (const auto& [queue, policy] : call.queue_policies) {
        argv.push_back(queue);
        append_policy(argv, policy);
    }
    return argv;
}

bool parse_trim_reply(const std::vector<ReplyValue>& values, TrimResult& out, std::string& error) {
    int64_t more = 0;
    if (!read_counts("trim", values, 2, {&out.removed, &more}, error)) return false;
    out.more = more != 0;
    return true;
}

}  // namespace onyx::protocol
