// Reading plugin descriptors and class tables by their declared sizes (plugins/abi_layout):
// older (version-1) and newer (appended) layouts than the host's, and sizes below version 1.
#include "plugins/abi_layout.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using onyx::plugins::descriptor_problem;
using onyx::plugins::read_classes;
using onyx::plugins::read_descriptor;

int32_t handler(void*, const onyx_bg_job_context*, const char*, size_t) { return ONYX_BG_JOB_OK; }

onyx_bg_plugin descriptor(uint32_t struct_size, uint32_t class_size) {
    return onyx_bg_plugin{ONYX_BG_ABI_VERSION, struct_size, "p", "1", nullptr, 0, nullptr, nullptr, class_size};
}

TEST(PluginAbiLayout, Version1DescriptorIsReadOnlyUpToItsSize) {
    onyx_bg_plugin d = descriptor(ONYX_BG_PLUGIN_V1_SIZE, 8);  // class_size lies past struct_size
    EXPECT_EQ(descriptor_problem(&d), "");
    onyx_bg_plugin read = read_descriptor(&d);
    EXPECT_EQ(read.class_size, ONYX_BG_JOB_CLASS_V1_SIZE);
    EXPECT_STREQ(read.name, "p");
}

TEST(PluginAbiLayout, ZeroClassSizeMeansTheVersion1Entry) {
    onyx_bg_plugin d = descriptor(sizeof(onyx_bg_plugin), 0);
    EXPECT_EQ(descriptor_problem(&d), "");
    EXPECT_EQ(read_descriptor(&d).class_size, ONYX_BG_JOB_CLASS_V1_SIZE);
}

TEST(PluginAbiLayout, SizesBelowVersion1AreRefused) {
    onyx_bg_plugin small = descriptor(ONYX_BG_PLUGIN_V1_SIZE - 1, 0);
    EXPECT_EQ(descriptor_problem(&small), "descriptor struct_size is " + std::to_string(ONYX_BG_PLUGIN_V1_SIZE - 1) +
                                              " bytes, ABI version 1 needs at least " +
                                              std::to_string(ONYX_BG_PLUGIN_V1_SIZE));
    onyx_bg_plugin small_class = descriptor(sizeof(onyx_bg_plugin), 8);
    EXPECT_EQ(descriptor_problem(&small_class),
              "descriptor class_size is 8 bytes, ABI version 1 needs at least " +
                  std::to_string(ONYX_BG_JOB_CLASS_V1_SIZE) + " (sizeof(onyx_bg_job_class))");
}

TEST(PluginAbiLayout, OtherAbiVersionIsRefusedFirst) {
    onyx_bg_plugin d = descriptor(4, 0);
    d.abi_version = 2;
    EXPECT_EQ(descriptor_problem(&d),
              "plugin ABI version 2, this daemon supports version 1 (rebuild the plugin against this daemon's SDK)");
}

// A plugin built against a later header, where both structs had a member appended.
struct LaterClass {
    onyx_bg_job_class current;
    uint64_t appended;
};
struct LaterDescriptor {
    onyx_bg_plugin current;
    uint64_t appended;
};

TEST(PluginAbiLayout, LaterLayoutsAreReadByTheirDeclaredSizes) {
    LaterClass classes[2] = {{{"A", handler, nullptr, 2, 100}, ~0ull}, {{"B", handler, nullptr, -1, 200}, ~0ull}};
    LaterDescriptor d{descriptor(sizeof(LaterDescriptor), sizeof(LaterClass)), ~0ull};
    d.current.classes = &classes[0].current;
    d.current.class_count = 2;
    ASSERT_EQ(descriptor_problem(&d), "");
    std::vector<onyx_bg_job_class> read = read_classes(read_descriptor(&d));
    ASSERT_EQ(read.size(), 2u);
    EXPECT_STREQ(read[1].name, "B");  // found at sizeof(LaterClass), not sizeof(onyx_bg_job_class)
    EXPECT_EQ(read[1].retry_limit, -1);
    EXPECT_EQ(read[1].timeout_ms, 200);
}

TEST(PluginAbiLayout, MissingClassTableIsRefused) {
    onyx_bg_plugin d = descriptor(sizeof(onyx_bg_plugin), 0);
    d.class_count = 3;
    EXPECT_EQ(descriptor_problem(&d), "descriptor lists 3 job classes but its class table is NULL");
}

}  // namespace
