#include "plugins/abi_layout.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace onyx::plugins {

namespace {

// The two members every descriptor of every version starts with.
struct DescriptorHead {
    uint32_t abi_version;
    uint32_t struct_size;
};

// Copies the first `declared` bytes of a plugin-built struct over a zeroed host one: members
// the plugin did not declare keep their default, members the host does not know are ignored.
template <typename Struct>
Struct read_prefix(const void* raw, size_t declared) noexcept {
    Struct host{};
    std::memcpy(&host, raw, std::min(declared, sizeof(Struct)));
    return host;
}

}  // namespace

std::string descriptor_problem(const void* raw) {
    DescriptorHead head{};
    std::memcpy(&head, raw, sizeof head);
    if (head.abi_version != ONYX_BG_ABI_VERSION)
        return fmt::format("plugin ABI version {}, this daemon supports version {} "
                           "(rebuild the plugin against this daemon's SDK)",
                           head.abi_version, ONYX_BG_ABI_VERSION);
    if (head.struct_size < ONYX_BG_PLUGIN_V1_SIZE)
        return fmt::format("descriptor struct_size is {} bytes, ABI version {} needs at least {}",
                           head.struct_size, ONYX_BG_ABI_VERSION, ONYX_BG_PLUGIN_V1_SIZE);
    const onyx_bg_plugin d = read_descriptor(raw);
    if (d.class_size < ONYX_BG_JOB_CLASS_V1_SIZE)
        return fmt::format("descriptor class_size is {} bytes, ABI version {} needs at least {} "
                           "(sizeof(onyx_bg_job_class))",
                           d.class_size, ONYX_BG_ABI_VERSION, ONYX_BG_JOB_CLASS_V1_SIZE);
    if (d.class_count > 0 && d.classes == nullptr)
        return fmt::format("descriptor lists {} job classes but its class table is NULL", d.class_count);
    return "";
}

onyx_bg_plugin read_descriptor(const void* raw) noexcept {
    DescriptorHead head{};
    std::memcpy(&head, raw, sizeof head);
    onyx_bg_plugin d = read_prefix<onyx_bg_plugin>(raw, head.struct_size);
    if (!ONYX_BG_SIZE_COVERS(head.struct_size, onyx_bg_plugin, class_size) || d.class_size == 0)
        d.class_size = ONYX_BG_JOB_CLASS_V1_SIZE;
    return d;
}

std::vector<onyx_bg_job_class> read_classes(const onyx_bg_plugin& descriptor) {
    std::vector<onyx_bg_job_class> classes;
    classes.reserve(descriptor.class_count);
    const auto* table = reinterpret_cast<const unsigned char*>(descriptor.classes);
    for (size_t i = 0; i < descriptor.class_count; ++i)
        classes.push_back(read_prefix<onyx_bg_job_class>(table + i * descriptor.class_size,
                                                         descriptor.class_size));
    return classes;
}

}  // namespace onyx::plugins
