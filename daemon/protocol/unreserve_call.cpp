#include "protocol/unreserve_call.hpp"

namespace onyx::protocol {

std::vector<std::string> unreserve_arguments(std::string_view script_sha, const UnreserveCall& call) {
    std::vector<std::string> argv = {"EVALSHA", std::string(script_sha), "0", call.ns, call.worker_id};
    argv.insert(argv.end(), call.queues.begin(), call.queues.end());
    return argv;
}

bool parse_unreserve_reply(const ReplyValue& value, UnreserveResult& out, std::string& error) {
    return read_counts("unreserve", {value}, 1, {&out.returned}, error);
}

}  // namespace onyx::protocol
