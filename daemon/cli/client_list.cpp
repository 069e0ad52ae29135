#include "cli/client_list.hpp"

#include "protocol/client_name.hpp"

#include "cli/command_context.hpp"
#include "cli/worker_census.hpp"

#include <algorithm>
#include <map>

namespace onyx::cli {
namespace {

constexpr std::string_view kWorkerPrefix = "onyx-background-worker:";
constexpr std::string_view kFiberPrefix = "onyx-background-worker-fiber:";

void set_field(ClientEntry& entry, std::string_view key, std::string_view value) {
    if (key == "id") entry.id = parse_integer(value).value_or(0);
    else if (key == "addr") entry.addr = value;
    else if (key == "name") entry.name = value;
    else if (key == "age") entry.age_s = parse_integer(value).value_or(0);
    else if (key == "db") entry.db = parse_integer(value).value_or(0);
}

std::optional<ClientEntry> parse_line(std::string_view line) {
    ClientEntry entry;
    while (!line.empty()) {
        const size_t space = std::min(line.find(' '), line.size());
        const std::string_view field = line.substr(0, space);
        const size_t equals = field.find('=');
        if (equals != std::string_view::npos) set_field(entry, field.substr(0, equals), field.substr(equals + 1));
        line.remove_prefix(std::min(space + 1, line.size()));
    }
    if (entry.id <= 0) return std::nullopt;
    return entry;
}

}  // namespace

std::vector<ClientEntry> parse_client_list(std::string_view text) {
    std::vector<ClientEntry> out;
    while (!text.empty()) {
        const size_t end = std::min(text.find('\n'), text.size());
        std::string_view line = text.substr(0, end);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (auto entry = parse_line(line)) out.push_back(std::move(*entry));
        text.remove_prefix(std::min(end + 1, text.size()));
    }
    return out;
}

std::vector<ClientWorker> client_workers(const std::vector<ClientEntry>& clients, int64_t db) {
    std::map<int64_t, ClientWorker> workers;
    for (const auto& c : clients) {
        // Workers of another database serve other keys: not ours to count.
        if (c.db != db || c.name.rfind(kWorkerPrefix, 0) != 0) continue;
        const std::string list = protocol::unescape_client_name(std::string_view(c.name).substr(kWorkerPrefix.size()));
        workers[c.id] = {c.id, c.addr, c.age_s, split_queue_list(list), 0};
    }
    for (const auto& c : clients) {
        if (c.name.rfind(kFiberPrefix, 0) != 0) continue;
        const auto main_id = parse_integer(std::string_view(c.name).substr(kFiberPrefix.size()));
        auto it = main_id ? workers.find(*main_id) : workers.end();
        if (it != workers.end()) ++it->second.fibers;
    }
    std::vector<ClientWorker> out;
    for (auto& [id, worker] : workers) out.push_back(std::move(worker));
    return out;
}

}  // namespace onyx::cli
