#include "support/free_port.hpp"

#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace onyx::test {
namespace {

// Binds a fresh socket to 127.0.0.1:port (0: the kernel chooses) and returns the bound
// port, or 0 when the bind fails. The socket is closed again: only the number is kept.
int try_bind(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    socklen_t len = sizeof addr;
    int bound = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
        bound = ntohs(addr.sin_port);
    ::close(fd);
    return bound;
}

}  // namespace

int find_free_port() {
    thread_local std::mt19937 rng{std::random_device{}()};
    std::uniform_int_distribution<int> pick(20000, 32767);
    for (int attempt = 0; attempt < 200; ++attempt)
        if (const int port = try_bind(pick(rng))) return port;
    if (const int port = try_bind(0)) return port;
    throw std::runtime_error("no free loopback TCP port found");
}

}  // namespace onyx::test
