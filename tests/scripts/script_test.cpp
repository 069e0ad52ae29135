#include "script_test.hpp"

#include "protocol/scripts.hpp"
#include "support/redis_server.hpp"

#include <memory>

namespace onyx::test {
namespace {

// One server per test binary: starting one per test would cost more than the tests.
RedisServer& shared_server() {
    static auto server = std::make_unique<RedisServer>();
    return *server;
}

std::string_view source_of(std::string_view name) {
    for (const auto& script : protocol::all_scripts())
        if (script.name == name) return script.source;
    ADD_FAILURE() << "no composed script named " << name;
    return {};
}

}  // namespace

void ScriptTest::SetUp() {
    redis().command({"FLUSHALL"});
    redis().command({"CONFIG", "SET", "maxmemory", "0"});
}

RedisClient& ScriptTest::redis() {
    static RedisClient client(shared_server().port());
    return client;
}

std::string ScriptTest::sha(std::string_view name) {
    return redis().get_string({"SCRIPT", "LOAD", source_of(name)});
}

Reply ScriptTest::eval(std::string_view name, const std::vector<std::string>& keys,
                       const std::vector<std::string>& argv) {
    std::vector<std::string> words = {"EVAL", std::string(source_of(name)), std::to_string(keys.size())};
    words.insert(words.end(), keys.begin(), keys.end());
    words.insert(words.end(), argv.begin(), argv.end());
    return redis().command_raw(words);
}

std::vector<std::string> ScriptTest::texts(const Reply& reply) {
    std::vector<std::string> out;
    for (const auto& e : reply.elements) {
        if (e.type == Reply::Type::integer) out.push_back(std::to_string(e.integer));
        else if (e.is_nil()) out.push_back("(nil)");
        else out.push_back(e.str);
    }
    return out;
}

}  // namespace onyx::test
