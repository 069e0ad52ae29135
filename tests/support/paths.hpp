// Where the build put what the tests run: compile definitions set on onyx_test_support by
// tests/CMakeLists.txt, exposed as typed constants.
#pragma once

#include <string_view>

namespace onyx::test::paths {

/// Absolute path of the onyx-background binary under test.
inline constexpr std::string_view onyx_bin = ONYX_BIN;

/// Directory holding the example job plugins (.so) built from plugins/.
inline constexpr std::string_view example_plugin_dir = ONYX_EXAMPLE_PLUGIN_DIR;

/// Directory holding the broken-plugin fixtures (.so) built from tests/fixtures/plugins/.
inline constexpr std::string_view fixture_plugin_dir = ONYX_FIXTURE_PLUGIN_DIR;

/// The repository root (CMake's PROJECT_SOURCE_DIR), e.g. for conf/ and docs/.
inline constexpr std::string_view source_dir = ONYX_SOURCE_DIR;

/// The build tree (CMake's PROJECT_BINARY_DIR).
inline constexpr std::string_view build_dir = ONYX_BUILD_DIR;

}  // namespace onyx::test::paths
