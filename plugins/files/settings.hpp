// The plugin's settings, read once from [plugin.files] by init (plugin.cpp).
#pragma once

#include <atomic>

namespace files_plugin {

/// gzip compression level, 1 (fast) .. 9 (small). Written by init before any job runs.
inline std::atomic<int> compression_level{6};

}  // namespace files_plugin
