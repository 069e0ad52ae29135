// Parsing CLIENT LIST for the original workers: names `onyx-background-worker:<queues>` and
// `onyx-background-worker-fiber:<main id>`, %XX-escaped, lines of unknown shape skipped.
#include "cli/client_list.hpp"
#include "protocol/client_name.hpp"

#include <gtest/gtest.h>

namespace onyx::cli {
namespace {

constexpr const char* kList =
    "id=7 addr=127.0.0.1:5000 laddr=127.0.0.1:6379 fd=8 name=onyx-background-worker:alpha,mail-%C3%BC age=42 idle=0\n"
    "id=8 addr=127.0.0.1:5001 fd=9 name=onyx-background-worker-fiber:7 age=42\n"
    "id=9 addr=127.0.0.1:5002 fd=10 name=onyx-background-worker-fiber:7 age=41\n"
    "id=10 addr=127.0.0.1:5003 fd=11 name=onyx-background-worker-fiber:99 age=1\n"
    "id=11 addr=127.0.0.1:5004 fd=12 name= age=1\n"
    "garbage line without fields\n"
    "id=12 addr=127.0.0.1:5005 name=onyx-background-worker:beta age=3\r\n"
    "id=13 addr=127.0.0.1:5006 db=5 name=onyx-background-worker:other-db age=3\n";

TEST(CliClientList, ParsesFieldsAndSkipsGarbage) {
    const auto clients = parse_client_list(kList);
    ASSERT_EQ(clients.size(), 7u);
    EXPECT_EQ(clients[6].db, 5);
    EXPECT_EQ(clients[0].id, 7);
    EXPECT_EQ(clients[0].addr, "127.0.0.1:5000");
    EXPECT_EQ(clients[0].age_s, 42);
    EXPECT_EQ(clients[4].name, "");
    EXPECT_EQ(clients[5].name, "onyx-background-worker:beta");
}

TEST(CliClientList, CountsFibersOfEachMainConnection) {
    const auto workers = client_workers(parse_client_list(kList), 0);
    ASSERT_EQ(workers.size(), 2u);
    EXPECT_EQ(workers[0].client_id, 7);
    EXPECT_EQ(workers[0].queues, (std::vector<std::string>{"alpha", "mail-ü"}));
    EXPECT_EQ(workers[0].fibers, 2);
    EXPECT_EQ(workers[1].queues, (std::vector<std::string>{"beta"}));
    EXPECT_EQ(workers[1].fibers, 0);
}

TEST(CliClientList, WorkersOfAnotherDatabaseAreNotCounted) {
    const auto workers = client_workers(parse_client_list(kList), 5);
    ASSERT_EQ(workers.size(), 1u);
    EXPECT_EQ(workers[0].queues, (std::vector<std::string>{"other-db"}));
}

TEST(CliClientList, UnescapeLeavesBadEscapesAlone) {
    EXPECT_EQ(onyx::protocol::unescape_client_name("a%20b%25c"), "a b%c");
    EXPECT_EQ(onyx::protocol::unescape_client_name("50%"), "50%");
    EXPECT_EQ(onyx::protocol::unescape_client_name("%zz%4"), "%zz%4");
}

}  // namespace
}  // namespace onyx::cli
