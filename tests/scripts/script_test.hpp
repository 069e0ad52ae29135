// The fixture of the script tests: one real redis-server for the whole test binary, emptied
// (FLUSHALL, maxmemory 0) before each test, and a way to run a composed script by name
// (protocol/scripts.hpp, the very text the daemon embeds) with KEYS and ARGV.
#pragma once

#include "support/redis_client.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace onyx::test {

class ScriptTest : public ::testing::Test {
protected:
    void SetUp() override;

    /// The client of the shared server. Throws (fails the test) on connection errors.
    RedisClient& redis();

    /// SCRIPT LOADs the composed script `name` (e.g. "claim") and returns its SHA1, for the
    /// argument builders that take one. Fails the test when no script has that name.
    std::string sha(std::string_view name);

    /// EVAL of script `name` with `keys` and `argv`; an error reply is returned, not thrown.
    Reply eval(std::string_view name, const std::vector<std::string>& keys, const std::vector<std::string>& argv);

    /// Runs a builder's EVALSHA argv; an error reply is returned, not thrown.
    Reply run(const std::vector<std::string>& argv) { return redis().command_raw(argv); }

    /// Elements of an array reply as text (integers in decimal, nil as "(nil)").
    static std::vector<std::string> texts(const Reply& reply);
};

}  // namespace onyx::test
