// Redis URL parsing: TCP, IPv6, unix sockets, percent-decoding, and errors that never show
// the password.
#include <onyx_common/redis_url.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace onyx::common {
namespace {

struct UrlCase {
    std::string url;
    RedisEndpoint expected;
};

RedisEndpoint tcp(std::string host, int port, int db, std::string user = "", std::string password = "") {
    RedisEndpoint e;
    e.host = std::move(host);
    e.port = port;
    e.db = db;
    e.user = std::move(user);
    e.password = std::move(password);
    return e;
}

RedisEndpoint unix_socket(std::string path, int db, std::string password = "") {
    RedisEndpoint e;
    e.host.clear();
    e.unix_path = std::move(path);
    e.db = db;
    e.password = std::move(password);
    return e;
}

void expect_same(const RedisEndpoint& got, const RedisEndpoint& want, const std::string& url) {
    EXPECT_EQ(got.host, want.host) << url;
    EXPECT_EQ(got.port, want.port) << url;
    EXPECT_EQ(got.unix_path, want.unix_path) << url;
    EXPECT_EQ(got.user, want.user) << url;
    EXPECT_EQ(got.password, want.password) << url;
    EXPECT_EQ(got.db, want.db) << url;
}

TEST(RedisUrl, ParsesGoodUrls) {
    const UrlCase cases[] = {
        {"redis://127.0.0.1:6379/0", tcp("127.0.0.1", 6379, 0)},
        {"redis://localhost", tcp("localhost", 6379, 0)},
        {"redis://localhost/", tcp("localhost", 6379, 0)},
        {"redis://redis.example.com:6380/15", tcp("redis.example.com", 6380, 15)},
        {"redis://:secret@host", tcp("host", 6379, 0, "", "secret")},
        {"redis://secret@host", tcp("host", 6379, 0, "", "secret")},
        {"redis://alice:secret@host:7000/2", tcp("host", 7000, 2, "alice", "secret")},
        {"redis://al%40ice:p%3Aw%40rd%25@host", tcp("host", 6379, 0, "al@ice", "p:w@rd%")},
        {"redis://u:p@ss/w@host", tcp("host", 6379, 0, "u", "p@ss/w")},
        {"redis://[::1]:6380/1", tcp("::1", 6380, 1)},
        {"redis://[fe80::1]", tcp("fe80::1", 6379, 0)},
        {"redis://:pw@[::1]:1/3", tcp("::1", 1, 3, "", "pw")},
        {"unix:///run/redis/redis.sock", unix_socket("/run/redis/redis.sock", 0)},
        {"unix:///tmp/r.sock?db=4", unix_socket("/tmp/r.sock", 4)},
        {"unix:///tmp/r.sock?db=4&password=s%26cret", unix_socket("/tmp/r.sock", 4, "s&cret")},
    };
    for (const UrlCase& c : cases) expect_same(parse_redis_url(c.url), c.expected, c.url);
}

struct BadUrl {
    std::string url, message;
};

TEST(RedisUrl, BadUrlsNameThePartButNotThePassword) {
    const BadUrl cases[] = {
        {"", "bad Redis URL: it must start with redis:// or unix://"},
        {"localhost:6379", "bad Redis URL: it must start with redis:// or unix://"},
        {"http://host", "bad Redis URL: scheme 'http' is not redis:// or unix://"},
        {"rediss://host", "bad Redis URL: TLS (rediss://) is not supported"},
        {"redis://host:0", "bad Redis URL: port '0' is not a whole number from 1 to 65535"},
        {"redis://host:65536", "bad Redis URL: port '65536' is not a whole number from 1 to 65535"},
        {"redis://host:", "bad Redis URL: port '' is not a whole number from 1 to 65535"},
        {"redis://host/abc", "bad Redis URL: database 'abc' is not a whole number from 0 to 1000000"},
        {"redis://host/-1", "bad Redis URL: database '-1' is not a whole number from 0 to 1000000"},
        {"redis://host/1?db=2", "bad Redis URL: redis:// URLs take no '?' parameters; put the database in the path (/N)"},
        {"redis://[::1", "bad Redis URL: IPv6 address has no closing ']'"},
        {"redis://[::1]6379", "bad Redis URL: expected ':port' after the IPv6 address"},
        {"redis://:pw@[]:6379", "bad Redis URL: the host is empty"},
        {"redis://u:bad%zzsecret@host", "bad Redis URL: the password has a bad percent escape (use %XX)"},
        {"unix://relative.sock", "bad Redis URL: the unix socket path must be absolute (unix:///path)"},
        {"unix:///s.sock?db=x", "bad Redis URL: database 'x' is not a whole number from 0 to 1000000"},
        {"unix:///s.sock?pass=topsecret", "bad Redis URL: unknown parameter 'pass' (known: db, password, user)"},
    };
    for (const BadUrl& c : cases) {
        try {
            parse_redis_url(c.url);
            ADD_FAILURE() << "accepted '" << c.url << "'";
        } catch (const std::invalid_argument& e) {
            EXPECT_EQ(e.what(), c.message) << c.url;
            EXPECT_EQ(std::string(e.what()).find("secret"), std::string::npos) << c.url;
        }
    }
}

TEST(RedisUrl, EmptyHostKeepsTheDefault) {
    expect_same(parse_redis_url("redis://"), tcp("127.0.0.1", 6379, 0), "redis://");
    expect_same(parse_redis_url("redis://:7000/1"), tcp("127.0.0.1", 7000, 1), "redis://:7000/1");
}

TEST(RedisUrl, RedactedHidesThePassword) {
    EXPECT_EQ(parse_redis_url("redis://alice:secret@host:7000/2").redacted(), "redis://alice:***@host:7000/2");
    EXPECT_EQ(parse_redis_url("redis://:secret@host").redacted(), "redis://:***@host:6379/0");
    EXPECT_EQ(parse_redis_url("redis://host").redacted(), "redis://host:6379/0");
    EXPECT_EQ(parse_redis_url("redis://[::1]:6380").redacted(), "redis://[::1]:6380/0");
    EXPECT_EQ(parse_redis_url("unix:///s.sock?db=1&password=secret").redacted(), "unix:///s.sock?db=1&password=***");
    EXPECT_EQ(parse_redis_url("redis://a%40b:x@h").redacted(), "redis://a%40b:***@h:6379/0");
}

TEST(RedisUrl, RedactUrlWorksOnTextThatDoesNotParse) {
    EXPECT_EQ(redact_url("redis://u:secret@host:bad"), "redis://u:***@host:bad");
    EXPECT_EQ(redact_url("redis://secret@host"), "redis://***@host");
    EXPECT_EQ(redact_url("unix:///s?password=secret&db=x"), "unix:///s?password=***&db=x");
    EXPECT_EQ(redact_url("plain text"), "plain text");
    EXPECT_EQ(redact_url("redis://host:6379"), "redis://host:6379");
}

}  // namespace
}  // namespace onyx::common
