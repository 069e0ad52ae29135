#include "worker/class_retries.hpp"

#include <onyx_background/keys.hpp>

#include <algorithm>

namespace onyx::worker {

std::vector<std::vector<std::string>> class_retry_commands(const std::string& ns,
                                                           const plugins::PluginRegistry& registry) {
    const std::string key = onyx_background::Keys(ns).class_retries();
    std::vector<std::string> set = {"HSET", key}, unset = {"HDEL", key};
    for (const plugins::JobClass* job_class : registry.classes()) {
        if (job_class->retry_limit == 0) {
            unset.push_back(job_class->name);
        } else {
            set.push_back(job_class->name);
            // -1 = never retry, as the worker reads it (job_policy.cpp).
            set.push_back(std::to_string(std::max(job_class->retry_limit, 0)));
        }
    }
    std::vector<std::vector<std::string>> commands;
    if (set.size() > 2) commands.push_back(std::move(set));
    if (unset.size() > 2) commands.push_back(std::move(unset));
    return commands;
}

}  // namespace onyx::worker
