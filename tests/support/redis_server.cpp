#include "support/redis_server.hpp"

#include "support/free_port.hpp"
#include "support/redis_client.hpp"
#include "support/wait.hpp"

#include <sstream>
#include <stdexcept>

namespace onyx::test {
namespace {

constexpr int max_port_attempts = 5;

// True when redis-server on `port` answers PONG (not -LOADING while it reads its AOF).
bool answers_ping(int port) {
    try {
        RedisClient client(port, std::chrono::milliseconds(200));
        return client.command_raw({"PING"}).str == "PONG";
    } catch (const std::exception&) {
        return false;
    }
}

// The last `count` lines of `text`, for failure messages.
std::string last_lines(const std::string& text, size_t count) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::string out;
    for (size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i)
        out += lines[i] + "\n";
    return out;
}

bool port_was_taken(const std::string& log) { return log.find("Address already in use") != std::string::npos; }

}  // namespace

RedisServer::RedisServer(RedisServerOptions options)
    : options_(std::move(options)), dir_("onyx-redis") {
    find_executable("redis-server");  // throws with a clear message when missing
    for (int attempt = 1; attempt <= max_port_attempts; ++attempt) {
        port_ = find_free_port();
        if (launch()) return;
        // Another process took the port between find_free_port and bind: pick again.
        // Any other failure would repeat, so report it now.
        if (!port_was_taken(failure_)) break;
    }
    throw std::runtime_error("redis-server did not start (port " + std::to_string(port_) +
                             ", timeout " + std::to_string(options_.start_timeout.count()) +
                             " ms):\n" + failure_);
}

RedisServer::~RedisServer() { kill9(); }

std::vector<std::string> RedisServer::argv() const {
    std::vector<std::string> out = {
        "redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
        "--dir", dir().string(), "--logfile", dir_.file("redis.log").string(),
        "--save", "", "--appendonly", options_.appendonly ? "yes" : "no",
        "--daemonize", "no"};
    if (!unix_socket().empty()) {
        out.insert(out.end(), {"--unixsocket", unix_socket().string(), "--unixsocketperm", "700"});
    }
    out.insert(out.end(), options_.extra_args.begin(), options_.extra_args.end());
    return out;
}

// Starts the process and waits for PONG; false (process reaped) when it exits or stays
// silent. Never a bare sleep: the poll ends as soon as either happens.
bool RedisServer::launch() {
    process_ = std::make_unique<Process>(argv(), Env{}, dir());
    try_wait_until([this] { return !process_->is_running() || answers_ping(port_); },
                   options_.start_timeout);
    if (process_->is_running() && answers_ping(port_)) return true;
    // Config errors go to stderr, runtime errors to redis.log: keep both for the message.
    failure_ = process_->stderr_text() + last_lines(log_text(), 5);
    process_.reset();  // SIGKILLs a server that runs but never answered
    return false;
}

void RedisServer::start() {
    if (process_ && process_->is_running())
        throw std::logic_error("RedisServer::start: already running on port " + std::to_string(port_));
    if (!launch())
        throw std::runtime_error("redis-server did not answer PING on port " +
                                 std::to_string(port_) + " within " +
                                 std::to_string(options_.start_timeout.count()) +
                                 " ms:\n" + failure_);
}

void RedisServer::stop(std::chrono::milliseconds grace) {
    if (process_) process_->terminate(grace);
    process_.reset();
}

void RedisServer::kill9() {
    if (process_) process_->kill9();
    process_.reset();
}

bool RedisServer::is_running() { return process_ && process_->is_running(); }

std::filesystem::path RedisServer::unix_socket() const {
    // sun_path holds 108 bytes: with a long $TMPDIR the server runs without a socket.
    auto path = dir_.file("redis.sock");
    return path.string().size() < 100 ? path : std::filesystem::path();
}

std::string RedisServer::url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }

pid_t RedisServer::pid() const { return process_ ? process_->pid() : -1; }

std::string RedisServer::log_text() const { return read_file_text(dir_.file("redis.log")); }

}  // namespace onyx::test
