#include "plugins/host_api.hpp"

#include "plugins/utf8_truncate.hpp"
#include "support/log.hpp"

namespace onyx::plugins {

namespace {

thread_local std::string_view current_plugin;

support::LogLevel to_log_level(int32_t level) noexcept {
    if (level <= ONYX_BG_LOG_ERROR) return support::LogLevel::error;
    if (level >= ONYX_BG_LOG_DEBUG) return support::LogLevel::debug;
    return static_cast<support::LogLevel>(level);
}

std::string_view view(const char* text, size_t len) noexcept {
    return text == nullptr ? std::string_view() : std::string_view(text, len);
}

// The level comes from the plugin at run time, so this is ONYX_LOG spelled out: check the
// level first, format only when the line is written.
void host_log(void* job_handle, int32_t level, const char* message, size_t message_len) noexcept {
    support::LogLevel log_level = to_log_level(level);
    if (!support::log_enabled(log_level)) return;
    std::string_view text = view(message, message_len);
    try {
        if (job_handle != nullptr) {
            auto* state = static_cast<const AttemptState*>(job_handle);
            support::write_log_line(log_level, fmt::format("[{}] {}", state->invocation->job_id, text));
        } else {
            std::string_view plugin = current_plugin.empty() ? std::string_view("?") : current_plugin;
            support::write_log_line(log_level, fmt::format("plugin {}: {}", plugin, text));
        }
    } catch (...) {
        // out of memory while formatting: the line is lost, the job goes on
    }
}

void host_fail(void* job_handle, const char* error_class, size_t error_class_len,
               const char* message, size_t message_len) noexcept {
    if (job_handle == nullptr) return;
    auto* state = static_cast<AttemptState*>(job_handle);
    try {
        state->error_class = truncate_utf8(view(error_class, error_class_len), kMaxErrorClassBytes);
        state->error_message = truncate_utf8(view(message, message_len), kMaxErrorMessageBytes);
    } catch (...) {
        state->error_class.clear();  // invoke_job falls back to "JobFailed"
    }
    state->fail_called = true;
}

int32_t host_cancel_requested(void* job_handle) noexcept {
    if (job_handle == nullptr) return 0;
    const auto* cancel = static_cast<const AttemptState*>(job_handle)->invocation->cancel;
    return cancel != nullptr && cancel->load(std::memory_order_relaxed) ? 1 : 0;
}

}  // namespace

const onyx_bg_host_api& host_api() noexcept {
    static const onyx_bg_host_api table{sizeof(onyx_bg_host_api), &host_log, &host_fail,
                                        &host_cancel_requested};
    return table;
}

PluginLogScope::PluginLogScope(std::string_view plugin_name) noexcept : previous_(current_plugin) {
    current_plugin = plugin_name;
}

PluginLogScope::~PluginLogScope() { current_plugin = previous_; }

}  // namespace onyx::plugins
