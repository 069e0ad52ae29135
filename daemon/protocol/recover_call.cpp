#include "protocol/recover_call.hpp"

#include <onyx_background/keys.hpp>

namespace onyx::protocol {

std::vector<std::string> recover_arguments(std::string_view script_sha, const RecoverCall& call) {
    const onyx_background::Keys keys(call.ns);
    std::vector<std::string> argv = {"EVALSHA", std::string(script_sha), "3", keys.workers(), keys.queues(),
                                     keys.class_retries(), call.ns, std::to_string(call.now_ms),
                                     std::to_string(call.batch), call.message,
                                     std::to_string(call.default_retry_limit)};
    for (const auto& [queue, limit] : call.queue_retry_limits) argv.insert(argv.end(), {queue, std::to_string(limit)});
    return argv;
}

bool parse_recover_reply(const std::vector<ReplyValue>& values, RecoverResult& out, std::string& error) {
    return read_counts("recover", values, 5,
                       {&out.workers, &out.attempts_counted, &out.reserved_returned, &out.attempts_uncounted,
                        &out.jobs_dead},
                       error);
}

}  // namespace onyx::protocol
