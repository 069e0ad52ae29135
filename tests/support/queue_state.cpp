#include "support/queue_state.hpp"

#include "support/onyx_daemon.hpp"

#include <map>

namespace onyx::test {
namespace {

// At most this many problems are listed: a run that lost thousands of jobs should still print
// a readable message.
constexpr size_t kProblemsShown = 20;

testing::AssertionResult result_of(const std::vector<std::string>& problems) {
    if (problems.empty()) return testing::AssertionSuccess();
    auto failure = testing::AssertionFailure() << problems.size() << " problems:";
    for (size_t i = 0; i < problems.size() && i < kProblemsShown; ++i) failure << "\n  " << problems[i];
    if (problems.size() > kProblemsShown) failure << "\n  ... and " << problems.size() - kProblemsShown << " more";
    return failure;
}

}  // namespace

std::string queue_leftovers(RedisClient& redis, std::string_view ns) {
    std::string out = "ready " + std::to_string(redis.integer({"LLEN", ns_key(ns, "ready")})) + ", processing " +
                      std::to_string(redis.integer({"SCARD", ns_key(ns, "processing")})) + ", completed " +
                      std::to_string(redis.integer({"ZCARD", ns_key(ns, "completed")})) + ", failed " +
                      std::to_string(redis.integer({"ZCARD", ns_key(ns, "failed")}));
    for (const auto& k : redis.strings({"KEYS", ns_key(ns, "reserved", "*")}))
        out += ", " + k + " " + std::to_string(redis.integer({"LLEN", k}));
    for (const auto& a : list_attempts(redis, ns, ns_key(ns, "processing")))
        out += "\n  still processing: attempt " + a.id + " job " + a.job;
    return out;
}

testing::AssertionResult each_completed_once(RedisClient& redis, std::string_view ns,
                                             const std::vector<std::string>& ids) {
    std::map<std::string, int> completed;
    for (const auto& a : list_attempts(redis, ns, ns_key(ns, "completed"))) ++completed[a.job];
    std::vector<std::string> problems;
    for (const auto& id : ids) {
        const int n = completed.count(id) ? completed[id] : 0;
        if (n != 1) problems.push_back("job " + id + " has " + std::to_string(n) + " completed attempts, not 1");
    }
    if (completed.size() != ids.size())
        problems.push_back(std::to_string(completed.size()) + " jobs have completed attempts, not " +
                     std::to_string(ids.size()));
    for (const auto& a : list_attempts(redis, ns, ns_key(ns, "failed")))
        problems.push_back("attempt " + a.id + " of job " + a.job + " failed with '" + a.err + "'");
    return result_of(problems);
}

}  // namespace onyx::test
