#include "protocol/unreserve_call.hpp"

#include <onyx_background/keys.hpp>

namespace onyx::protocol {

std::vector<std::string> unreserve_arguments(std::string_view script_sha, const UnreserveCall& call) {
    const onyx_background::Keys keys(call.ns);
    std::vector<std::string> argv = {"EVALSHA", std::string(script_sha), std::to_string(2 * call.queues.size())};
    for (const auto& q : call.queues) {
        argv.push_back(keys.reserved(call.worker_id, q));
        argv.push_back(keys.ready(q));
    }
    return argv;
}

bool parse_unreserve_reply(const ReplyValue& value, UnreserveResult& out, std::string& error) {
    return read_counts("unreserve", {value}, 1, {&out.returned}, error);
}

}  // namespace onyx::protocol
