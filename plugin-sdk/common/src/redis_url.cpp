// Redis URL parsing. Messages name the bad part but never the password (they end up in logs).
#include <onyx_common/redis_url.hpp>

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <stdexcept>

namespace onyx::common {
namespace {

constexpr std::string_view kTcpScheme = "redis://";
constexpr std::string_view kUnixScheme = "unix://";

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Decodes %XX escapes; throws without echoing the text (it may be a password).
std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        const bool room = i + 2 < text.size();
        const int high = room ? hex_value(text[i + 1]) : -1;
        const int low = room ? hex_value(text[i + 2]) : -1;
        if (high < 0 || low < 0) throw std::invalid_argument("bad percent escape");
        out += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return out;
}

// Encodes bytes outside RFC 3986 "unreserved" as %XX, for the user name in redacted().
std::string percent_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += kHex[byte >> 4];
            out += kHex[byte & 15];
        }
    }
    return out;
}

[[noreturn]] void fail(const std::string& reason) {
    throw std::invalid_argument("bad Redis URL: " + reason);
}

// A whole decimal number in [min, max]; `what` names the part for the message.
int parse_bounded(std::string_view text, int min, int max, std::string_view what) {
    int value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value < min || value > max)
        fail(fmt::format("{} '{}' is not a whole number from {} to {}", what, text, min, max));
    return value;
}

// `what` is "user name" or "password": only the name of the part is ever shown.
std::string decode_secret(std::string_view text, std::string_view what) {
    try {
        return percent_decode(text);
    } catch (const std::invalid_argument&) {
        fail(fmt::format("the {} has a bad percent escape (use %XX)", what));
    }
}

// "user:password" sets both; a lone word is the password, as redis-cli reads it.
void parse_userinfo(std::string_view info, RedisEndpoint& out) {
    const size_t colon = info.find(':');
    if (colon == std::string_view::npos) {
        out.password = decode_secret(info, "password");
        return;
    }
    out.user = decode_secret(info.substr(0, colon), "user name");
    out.password = decode_secret(info.substr(colon + 1), "password");
}

// "host", "host:port", "[v6]" or "[v6]:port"; an empty host keeps 127.0.0.1.
void parse_host_port(std::string_view hostport, RedisEndpoint& out) {
    std::string_view rest = hostport;
    if (rest.starts_with('[')) {
        const size_t close = rest.find(']');
        if (close == std::string_view::npos) fail("IPv6 address has no closing ']'");
        out.host = std::string(rest.substr(1, close - 1));
        rest.remove_prefix(close + 1);
        if (!rest.empty() && !rest.starts_with(':'))
            fail("expected ':port' after the IPv6 address");
    } else {
        const size_t colon = rest.find(':');
        if (!rest.substr(0, colon).empty()) out.host = std::string(rest.substr(0, colon));
        rest.remove_prefix(colon == std::string_view::npos ? rest.size() : colon);
    }
    if (out.host.empty()) fail("the host is empty");
    if (rest.starts_with(':')) out.port = parse_bounded(rest.substr(1), 1, 65535, "port");
}

// "" or "/" keeps db 0; "/N" selects db N.
void parse_db_path(std::string_view path, RedisEndpoint& out) {
    if (path.empty() || path == "/") return;
    out.db = parse_bounded(path.substr(1), 0, 1000000, "database");
}

RedisEndpoint parse_tcp(std::string_view rest) {
    RedisEndpoint out;
    if (rest.find('?') != std::string_view::npos)
        fail("redis:// URLs take no '?' parameters; put the database in the path (/N)");
    // The last '@' ends the user info, so a raw '@' or '/' in a password still parses.
    const size_t at = rest.rfind('@');
    if (at != std::string_view::npos) {
        parse_userinfo(rest.substr(0, at), out);
        rest.remove_prefix(at + 1);
    }
    const size_t slash = rest.find('/');
    parse_host_port(rest.substr(0, slash), out);
    if (slash != std::string_view::npos) parse_db_path(rest.substr(slash), out);
    return out;
}

void apply_unix_param(std::string_view param, RedisEndpoint& out) {
    const size_t eq = param.find('=');
    const std::string_view name = param.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : param.substr(eq + 1);
    if (name == "db")
        out.db = parse_bounded(value, 0, 1000000, "database");
    else if (name == "password")
        out.password = decode_secret(value, "password");
    else if (name == "user")
        out.user = decode_secret(value, "user name");
    else
        fail(fmt::format("unknown parameter '{}' (known: db, password, user)", name));
}

RedisEndpoint parse_unix(std::string_view rest) {
    RedisEndpoint out;
    out.host.clear();
    const size_t question = rest.find('?');
    std::string_view path = rest.substr(0, question);
    if (!path.starts_with('/')) fail("the unix socket path must be absolute (unix:///path)");
    out.unix_path = decode_secret(path, "socket path");
    std::string_view query = question == std::string_view::npos ? "" : rest.substr(question + 1);
    while (!query.empty()) {
        const size_t amp = query.find('&');
        apply_unix_param(query.substr(0, amp), out);
        query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    }
    return out;
}

// Bracketed when the host is an IPv6 address, so the port stays readable.
std::string host_for_url(const std::string& host) {
    return host.find(':') == std::string::npos ? host : "[" + host + "]";
}

// Only a plain word is echoed as the scheme: anything else might hold a secret.
bool is_scheme_word(std::string_view text) {
    if (text.empty() || text.size() > 16) return false;
    for (char c : text)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.')
            return false;
    return true;
}

}  // namespace

std::string RedisEndpoint::redacted() const {
    const std::string secret = password.empty() ? "" : "***";
    if (!unix_path.empty()) {
        std::string url = "unix://" + unix_path + "?db=" + std::to_string(db);
        if (!user.empty()) url += "&user=" + percent_encode(user);
        if (!password.empty()) url += "&password=" + secret;
        return url;
    }
    std::string userinfo;
    if (!user.empty()) userinfo = percent_encode(user) + ":" + secret + "@";
    else if (!password.empty()) userinfo = ":" + secret + "@";
    return fmt::format("redis://{}{}:{}/{}", userinfo, host_for_url(host), port, db);
}

RedisEndpoint parse_redis_url(std::string_view url) {
    if (url.starts_with(kTcpScheme)) return parse_tcp(url.substr(kTcpScheme.size()));
    if (url.starts_with(kUnixScheme)) return parse_unix(url.substr(kUnixScheme.size()));
    if (url.starts_with("rediss://")) fail("TLS (rediss://) is not supported");
    const size_t scheme_end = url.find("://");
    if (scheme_end != std::string_view::npos && is_scheme_word(url.substr(0, scheme_end)))
        fail(fmt::format("scheme '{}' is not redis:// or unix://", url.substr(0, scheme_end)));
    fail("it must start with redis:// or unix://");
}

std::string redact_url(std::string_view url) {
    std::string out(url);
    const size_t start = out.find("://");
    const size_t at = out.rfind('@');
    if (start != std::string::npos && at != std::string::npos && at > start) {
        const size_t info = start + 3;
        const size_t colon = out.find(':', info);
        // "user:secret@" keeps the user; a lone "secret@" is all password.
        const size_t from = (colon != std::string::npos && colon < at) ? colon + 1 : info;
        out.replace(from, at - from, "***");
    }
    for (size_t pos = out.find("password="); pos != std::string::npos;
         pos = out.find("password=", pos + 1)) {
        const size_t value = pos + 9;
        out.replace(value, out.find('&', value) - value, "***");
    }
    return out;
}

}  // namespace onyx::common
