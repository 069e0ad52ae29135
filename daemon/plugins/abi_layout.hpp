// Reading what a plugin built (its descriptor and class table) by the sizes it declared, so a
// plugin built against an older version-1 layout loads in a host whose structs have grown
// (the compatibility rules at the top of plugin.h).
#pragma once

#include <onyx_background/plugin.h>

#include <string>
#include <vector>

namespace onyx::plugins {

/// Returns "" when the descriptor at `raw` (plugin memory, at least its first two members
/// readable) can be read: ABI version equal to ONYX_BG_ABI_VERSION, struct_size at least
/// ONYX_BG_PLUGIN_V1_SIZE, class_size (when declared and not 0) at least
/// ONYX_BG_JOB_CLASS_V1_SIZE, a class table when classes are counted. Else one sentence without
/// the file name, e.g. "descriptor struct_size is 8 bytes, ABI version 1 needs at least 56".
/// Reads no more than the declared struct_size. Pure; thread-safe.
std::string descriptor_problem(const void* raw);

/// The descriptor at `raw` in the host's layout: the members struct_size covers, the others
/// at their documented defaults (zero); class_size resolved (absent or 0 becomes
/// ONYX_BG_JOB_CLASS_V1_SIZE). Call only when descriptor_problem(raw) is "". Pure; thread-safe.
onyx_bg_plugin read_descriptor(const void* raw) noexcept;

/// The class table of `descriptor` (a read_descriptor result) in the host's layout: entry i
/// read at byte i * class_size, the members class_size covers, the others zero. The strings
/// still point into plugin memory. Throws std::bad_alloc only. Pure; thread-safe.
std::vector<onyx_bg_job_class> read_classes(const onyx_bg_plugin& descriptor);

}  // namespace onyx::plugins
