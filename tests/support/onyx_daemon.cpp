#include "support/onyx_daemon.hpp"

#include "support/paths.hpp"
#include "support/wait.hpp"

#include <unistd.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace onyx::test {

int64_t wall_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string ns_key(std::string_view ns, std::string_view kind, std::string_view id) {
    return std::string(ns) + ":" + std::string(kind) + ":" + std::string(id);
}

std::string write_onyx_config(const TempDir& dir, const RedisServer& server, std::string_view ns,
                              std::string_view lines) {
    const auto path = dir.file("onyx.ini");
    write_file_text(path, "[redis]\nurl = " + server.url() + "\nnamespace = " + std::string(ns) + "\n" +
                              std::string(lines));
    return path.string();
}

Process start_onyx(std::string_view role, const std::string& config) {
    return Process({std::string(paths::onyx_bin), std::string(role), "--config", config});
}

std::optional<std::string> worker_id_of(RedisClient& redis, std::string_view ns, pid_t pid) {
    static const char* script = R"lua(
for _, wid in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if redis.call('HGET', ARGV[1] .. wid, 'pid') == ARGV[2] then return wid end
end
return false
)lua";
    return redis.optional_string({"EVAL", script, "1", std::string(ns) + ":workers", ns_key(ns, "worker", ""),
                                  std::to_string(pid)});
}

std::string wait_worker_registered(RedisClient& redis, std::string_view ns, const Process& worker,
                                   std::chrono::milliseconds deadline) {
    std::optional<std::string> wid;
    wait_until([&] { return (wid = worker_id_of(redis, ns, worker.pid())).has_value(); }, deadline,
               "worker pid " + std::to_string(worker.pid()) + " to register in " + std::string(ns) + ":workers");
    return *wid;
}

void wait_beat_lists_running(RedisClient& redis, std::string_view ns, const std::string& wid,
                             const std::vector<std::string>& attempt_ids, std::chrono::milliseconds deadline) {
    const std::string key = ns_key(ns, "worker", wid);
    wait_until(
        [&] {
            const std::string run = redis.optional_string({"HGET", key, "run"}).value_or("");
            std::set<std::string> listed;
            for (size_t from = 0; from < run.size();) {
                const size_t comma = std::min(run.find(',', from), run.size());
                listed.insert(run.substr(from, comma - from));
                from = comma + 1;
            }
            return std::all_of(attempt_ids.begin(), attempt_ids.end(), [&](const auto& id) { return listed.count(id) > 0; });
        },
        deadline, "a heartbeat of worker " + wid + " to list its " + std::to_string(attempt_ids.size()) +
                      " running attempts in " + key + " run");
}

std::vector<AttemptRecord> list_attempts(RedisClient& redis, std::string_view ns, const std::string& set_key,
                                       std::string_view only_wid) {
    static const char* script = R"lua(
local t = redis.call('TYPE', KEYS[1]).ok
local ids = {}
if t == 'zset' then ids = redis.call('ZRANGE', KEYS[1], 0, -1)
elseif t == 'set' then ids = redis.call('SMEMBERS', KEYS[1]) end
local out = {}
for _, aid in ipairs(ids) do
  local h = redis.call('HMGET', ARGV[1] .. aid, 'job', 'wid', 'err', 'fin', 'tim')
  if ARGV[2] == '' or h[2] == ARGV[2] then
    out[#out + 1] = aid
    for i = 1, 5 do out[#out + 1] = h[i] or '' end
  end
end
return out
)lua";
    const auto flat =
        redis.strings({"EVAL", script, "1", set_key, ns_key(ns, "attempts", ""), std::string(only_wid)});
    std::vector<AttemptRecord> out;
    for (size_t i = 0; i + 5 < flat.size(); i += 6)
        out.push_back({flat[i], flat[i + 1], flat[i + 2], flat[i + 3], flat[i + 4], flat[i + 5]});
    return out;
}

std::vector<std::map<std::string, std::string>> attempt_chain(RedisClient& redis, std::string_view ns,
                                                             const std::string& job_id) {
    std::vector<std::map<std::string, std::string>> out;
    const auto queue = redis.optional_string({"HGET", ns_key(ns, "jobs", job_id), "que"});
    auto next = queue ? redis.optional_string({"HGET", ns_key(ns, "latest", *queue), job_id}) : std::nullopt;
    while (next && out.size() < 100) {
        auto attempt = redis.hgetall(ns_key(ns, "attempts", *next));
        attempt["id"] = *next;
        const auto it = attempt.find("prv");
        next = it == attempt.end() ? std::nullopt : std::optional<std::string>(it->second);
        out.insert(out.begin(), std::move(attempt));
    }
    return out;
}

double cpu_seconds(pid_t pid) {
    const std::string stat = read_file_text("/proc/" + std::to_string(pid) + "/stat");
    const auto paren = stat.rfind(')');
    if (paren == std::string::npos) throw std::runtime_error("no /proc stat for pid " + std::to_string(pid));
    std::istringstream fields(stat.substr(paren + 2));
    std::vector<std::string> f;
    for (std::string field; fields >> field;) f.push_back(field);
    // f[0] is field 3 (state); utime and stime are fields 14 and 15.
    return static_cast<double>(std::stoull(f.at(11)) + std::stoull(f.at(12))) /
           static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace onyx::test
