#include <onyx_common/uuid.hpp>

#include <uuid/uuid.h>

#include <sys/random.h>

#include <cerrno>
#include <system_error>

namespace onyx::common {
namespace {

// Fills `bytes` from the kernel's random source, retrying short reads and EINTR.
void fill_random(std::vector<unsigned char>& bytes) {
    for (size_t filled = 0; filled < bytes.size();) {
        const ssize_t n = getrandom(bytes.data() + filled, bytes.size() - filled, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "getrandom failed");
        }
        filled += static_cast<size_t>(n);
    }
}

}  // namespace

std::vector<std::string> new_uuids(size_t count) {
    // One getrandom() for all of them: libuuid's uuid_generate_random costs a syscall or
    // two per id, which dominated a busy worker's claims.
    std::vector<unsigned char> bytes(count * 16);
    fill_random(bytes);
    std::vector<std::string> ids;
    ids.reserve(count);
    char text[37];
    for (size_t i = 0; i < count; ++i) {
        unsigned char* raw = bytes.data() + i * 16;
        raw[6] = static_cast<unsigned char>((raw[6] & 0x0F) | 0x40);  // version 4
        raw[8] = static_cast<unsigned char>((raw[8] & 0x3F) | 0x80);  // RFC 4122 variant
        uuid_unparse_lower(raw, text);
        ids.emplace_back(text, 36);
    }
    return ids;
}

std::string new_uuid() { return new_uuids(1).front(); }

}  // namespace onyx::common
