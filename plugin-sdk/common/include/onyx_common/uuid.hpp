// Random (v4) UUIDs for job, attempt and worker ids.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace onyx::common {

/// `count` new random (v4) UUIDs, lowercase and hyphenated (36 characters), from one
/// getrandom() call. Thread-safe. Throws std::system_error ("getrandom failed: <reason>")
/// when the kernel's random source fails.
std::vector<std::string> new_uuids(size_t count);

/// One new random (v4) UUID, as new_uuids(1) makes it. Thread-safe; throws as new_uuids.
std::string new_uuid();

}  // namespace onyx::common
