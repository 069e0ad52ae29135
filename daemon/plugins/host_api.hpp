// The host side of the plugin ABI: the onyx_bg_host_api table handed to every plugin, and the
// per-attempt state its functions reach through job_handle.
#pragma once

#include "plugins/job_invocation.hpp"

#include <onyx_background/plugin.h>

#include <string>
#include <string_view>

namespace onyx::plugins {

/// What host->fail recorded for one attempt; job_handle points at it during the handler call.
/// Owned by invoke_job on the executor thread's stack.
struct AttemptState {
    const JobInvocation* invocation = nullptr;
    bool fail_called = false;
    std::string error_class;   ///< at most kMaxErrorClassBytes bytes
    std::string error_message; ///< at most kMaxErrorMessageBytes bytes
};

/// Largest error class name kept (bytes); longer ones are cut at a UTF-8 boundary.
inline constexpr size_t kMaxErrorClassBytes = 256;

/// The one host table (static storage, lives for the whole process). Its functions never
/// throw and are safe from any thread; job_handle is an AttemptState* or NULL.
const onyx_bg_host_api& host_api() noexcept;

/// Names the plugin that log lines with a NULL job_handle come from, on this thread, for the
/// lifetime of the scope (the loader opens one around init and fini).
class PluginLogScope {
public:
    /// `plugin_name` must outlive the scope.
    explicit PluginLogScope(std::string_view plugin_name) noexcept;
    ~PluginLogScope();
    PluginLogScope(const PluginLogScope&) = delete;
    PluginLogScope& operator=(const PluginLogScope&) = delete;

private:
    std::string_view previous_;
};

}  // namespace onyx::plugins
