// onyx-background C++ job layer over the C ABI of plugin.h.
//
// A plugin author writes a class and one macro per class:
//
//     #include <onyx_background/job.hpp>
//
//     class NapJob : public onyx_background::Job {
//     public:
//         void perform(onyx_background::JobContext& ctx, const rapidjson::Value& args) override;
//     };
//     ONYX_BACKGROUND_JOB("Jobs::Nap", NapJob);
//
// Including this header defines the plugin's entry symbol (onyx_bg_plugin_entry) as an inline,
// `used`, default-visibility function, so a plugin of any number of files needs no other macro;
// the linker keeps one copy. The handlers it generates parse the arguments with rapidjson, build
// one job object per attempt and catch every exception, so none crosses the C boundary.
// Everything internal lives in the hidden namespace onyx_background::detail: one registry per
// .so, never shared with another plugin even without -fvisibility=hidden.
//
// Requires C++20 or later (it uses requires-expressions), rapidjson (header-only) and the
// Itanium C++ ABI (GCC, Clang).
#pragma once

#include <onyx_background/plugin.h>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cxxabi.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <vector>

namespace onyx_background {

/// Severity of a log line, most severe first (the values of onyx_bg_log_level).
enum class LogLevel : int32_t {
    error = ONYX_BG_LOG_ERROR,
    warn = ONYX_BG_LOG_WARN,
    info = ONYX_BG_LOG_INFO,
    debug = ONYX_BG_LOG_DEBUG,
};

/// The `[plugin.<name>]` section of the daemon's INI file, key -> value, as handed to the
/// init function (see ONYX_BACKGROUND_PLUGIN_INIT). Owned by the caller of init; copy what
/// you need to keep.
using PluginConfig = std::map<std::string, std::string, std::less<>>;

/// An error with an explicit error class: thrown out of perform(), the attempt fails with
/// error_class() in its `err` field (instead of the C++ type name) and what() as its message.
/// Copying never throws (the strings are reference-counted, like std::runtime_error's).
class JobError : public std::runtime_error {
public:
    /// `error_class` is a short name such as "Files::NotFound"; `message` says what happened.
    JobError(const std::string& error_class, const std::string& message)
        : std::runtime_error(message), error_class_(error_class) {}

    /// The error class name recorded in the attempt's `err` field.
    const char* error_class() const noexcept { return error_class_.what(); }

private:
    std::runtime_error error_class_;  // a nothrow-copyable string holder
};

/// Thrown by the argument helpers (and by the generated handler for unparsable JSON): the
/// attempt fails with error class "InvalidArguments".
class InvalidArguments : public JobError {
public:
    /// `message` names the argument and what is wrong with it.
    explicit InvalidArguments(const std::string& message) : JobError("InvalidArguments", message) {}
};

/// Thrown by JobContext::throw_if_cancelled(): the attempt fails with error class
/// "JobCancelled" (the host asked the job to stop: timeout or shutdown).
class JobCancelled : public JobError {
public:
    /// Builds the standard cancellation error.
    JobCancelled() : JobError("JobCancelled", "the job was asked to stop (timeout or shutdown)") {}
};

/// What a job knows about the attempt it runs, and its way back to the host. Built by the
/// generated handler; valid only during perform() and only on the thread running it (the
/// strings point into host memory that is freed when the attempt ends).
class JobContext {
public:
    /// Wraps the host's context. `raw` and `args_json` must outlive this object.
    JobContext(const onyx_bg_job_context& raw, std::string_view args_json) noexcept
        : raw_(&raw), args_json_(args_json) {}

    /// UUID of the job (the `<ns>:jobs:<id>` key's id).
    std::string_view job_id() const noexcept { return {raw_->job_id, raw_->job_id_len}; }
    /// UUID of this attempt (the `<ns>:attempts:<id>` key's id).
    std::string_view attempt_id() const noexcept { return {raw_->attempt_id, raw_->attempt_id_len}; }
    /// Queue the job was taken from.
    std::string_view queue() const noexcept { return {raw_->queue, raw_->queue_len}; }
    /// The job's class name (`cls`), e.g. "Jobs::Nap".
    std::string_view job_class() const noexcept { return {raw_->job_class, raw_->job_class_len}; }
    /// Enqueue time (`qat`), Unix epoch milliseconds; 0 when the producer wrote none.
    int64_t enqueued_at_ms() const noexcept { return raw_->enqueued_at_ms; }
    /// Start time of this attempt (`sta`), Unix epoch milliseconds.
    int64_t started_at_ms() const noexcept { return raw_->started_at_ms; }
    /// 1 for the first attempt of the job, 2 for its first retry, and so on.
    uint32_t attempt_number() const noexcept { return raw_->attempt_number; }
    /// The job's arguments as JSON text (`arg`), exactly as the producer wrote them.
    std::string_view args_json() const noexcept { return args_json_; }
    /// The host's C context, for what this class does not wrap.
    const onyx_bg_job_context& raw() const noexcept { return *raw_; }

    /// Writes one line to the daemon's log, attributed to this job. The host copies `text`.
    void log(LogLevel level, std::string_view text) const noexcept {
        raw_->host->log(raw_->job_handle, static_cast<int32_t>(level), text.data(), text.size());
    }
    /// log(LogLevel::error, text).
    void error(std::string_view text) const noexcept { log(LogLevel::error, text); }
    /// log(LogLevel::warn, text).
    void warn(std::string_view text) const noexcept { log(LogLevel::warn, text); }
    /// log(LogLevel::info, text).
    void info(std::string_view text) const noexcept { log(LogLevel::info, text); }
    /// log(LogLevel::debug, text).
    void debug(std::string_view text) const noexcept { log(LogLevel::debug, text); }

    /// True once the host wants the job to stop early (timeout, shutdown). Cancellation is
    /// cooperative: long jobs should poll this (cheap: one atomic load) and return or throw.
    bool cancel_requested() const noexcept {
        return raw_->host->cancel_requested(raw_->job_handle) != 0;
    }
    /// Throws JobCancelled when cancel_requested().
    void throw_if_cancelled() const {
        if (cancel_requested()) throw JobCancelled();
    }

private:
    const onyx_bg_job_context* raw_;
    std::string_view args_json_;
};

/// Base of every job class. The generated handler default-constructs the derived class once
/// per attempt on an executor thread, calls perform() and destroys it; several attempts of
/// the same class may run at once on different threads, so shared state needs locking.
class Job {
public:
    virtual ~Job() = default;

    /// Runs one attempt. `args` is the parsed `arg` JSON (any JSON value; usually an object).
    /// Returning normally completes the attempt; throwing fails it: a JobError gives its
    /// error_class(), another std::exception its dynamic type name (e.g. "std::runtime_error"),
    /// anything else "UnknownException"; the message is what() (the host keeps 1 KiB).
    virtual void perform(JobContext& ctx, const rapidjson::Value& args) = 0;
};

/// The member `key` of `args`, or nullptr when `args` is not an object or has no such member.
inline const rapidjson::Value* find_arg(const rapidjson::Value& args, std::string_view key) noexcept {
    if (!args.IsObject()) return nullptr;
    rapidjson::Value name(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size())));
    auto it = args.FindMember(name);
    return it == args.MemberEnd() ? nullptr : &it->value;
}

/// The string member `key` of `args`; throws InvalidArguments when it is absent or not a
/// string. The view points into `args`.
inline std::string_view string_arg(const rapidjson::Value& args, std::string_view key) {
    const rapidjson::Value* value = find_arg(args, key);
    if (value == nullptr || !value->IsString())
        throw InvalidArguments("argument \"" + std::string(key) + "\" (a string) is required");
    return {value->GetString(), value->GetStringLength()};
}

/// The string member `key` of `args`, or `fallback` when absent or null; throws
/// InvalidArguments when it is present with another type.
inline std::string_view string_arg(const rapidjson::Value& args, std::string_view key,
                                   std::string_view fallback) {
    const rapidjson::Value* value = find_arg(args, key);
    if (value == nullptr || value->IsNull()) return fallback;
    if (!value->IsString())
        throw InvalidArguments("argument \"" + std::string(key) + "\" must be a string");
    return {value->GetString(), value->GetStringLength()};
}

/// The number member `key` of `args` (integer or float), or `fallback` when absent or null;
/// throws InvalidArguments when it is present with another type.
inline double number_arg(const rapidjson::Value& args, std::string_view key, double fallback) {
    const rapidjson::Value* value = find_arg(args, key);
    if (value == nullptr || value->IsNull()) return fallback;
    if (!value->IsNumber())
        throw InvalidArguments("argument \"" + std::string(key) + "\" must be a number");
    return value->GetDouble();
}

/// Writes one plugin-level log line (not tied to a job), e.g. from the init function.
/// A no-op before the host has called the plugin's init. Thread-safe.
inline void plugin_log(LogLevel level, std::string_view text) noexcept;

// Internals of the macros below; not part of the API. Hidden, so that each .so has its own
// registry (a default-visibility function-local static would become a STB_GNU_UNIQUE symbol,
// which the dynamic linker shares between plugins even under RTLD_LOCAL).
namespace detail __attribute__((visibility("hidden"))) {

using PerformFn = void (*)(JobContext& ctx, const rapidjson::Value& args);

/// Everything the macros registered in this .so, plus the descriptor handed to the host.
struct Registry {
    std::vector<onyx_bg_job_class> classes;
    const char* name = "";  // "": the host names the plugin after its file
    const char* version = "";
    void (*init)(const PluginConfig&) = nullptr;
    void (*fini)() = nullptr;
    const onyx_bg_host_api* host = nullptr;  // set by init, before any job runs
    bool broken = false;                     // a registration ran out of memory
    onyx_bg_plugin descriptor{};
};

/// The one registry of this .so; built on first use (during the .so's static initialization).
inline Registry& registry() noexcept {
    static Registry instance;
    return instance;
}

/// Copies `text` into the host's error buffer, always NUL-terminated.
inline void copy_error(char* error, size_t error_size, const char* text) noexcept {
    if (error != nullptr && error_size > 0) std::snprintf(error, error_size, "%s", text);
}

/// Reports a failed attempt to the host; returns ONYX_BG_JOB_FAILED.
inline int32_t report_failure(const onyx_bg_job_context& raw, const char* error_class,
                              const char* message) noexcept {
    raw.host->fail(raw.job_handle, error_class, std::strlen(error_class), message, std::strlen(message));
    return ONYX_BG_JOB_FAILED;
}

/// Reports a failure whose error class is the demangled name of `type`.
inline int32_t report_typed_failure(const onyx_bg_job_context& raw, const std::type_info& type,
                                    const char* message) noexcept {
    int status = 0;
    char* demangled = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
    report_failure(raw, status == 0 && demangled != nullptr ? demangled : type.name(), message);
    std::free(demangled);
    return ONYX_BG_JOB_FAILED;
}

/// Reports an exception that is not a std::exception; call only inside a catch (...) block.
inline int32_t report_unknown_exception(const onyx_bg_job_context& raw) noexcept {
    const std::type_info* type = abi::__cxa_current_exception_type();
    int status = 0;
    char* demangled = type ? abi::__cxa_demangle(type->name(), nullptr, nullptr, &status) : nullptr;
    char message[512];
    std::snprintf(message, sizeof message, "exception of type %s (not a std::exception)",
                  demangled ? demangled : (type ? type->name() : "unknown"));
    std::free(demangled);
    return report_failure(raw, "UnknownException", message);
}

/// Reports unparsable arguments as "InvalidArguments", naming the offset and the reason.
inline int32_t report_parse_error(const onyx_bg_job_context& raw, const rapidjson::Document& doc) noexcept {
    char message[256];
    std::snprintf(message, sizeof message, "job arguments are not valid JSON: offset %zu: %s",
                  static_cast<size_t>(doc.GetErrorOffset()), rapidjson::GetParseError_En(doc.GetParseError()));
    return report_failure(raw, "InvalidArguments", message);
}

/// Parses the arguments and runs `perform`, turning every exception into a failed attempt.
inline int32_t run_attempt(const onyx_bg_job_context& raw, std::string_view args, PerformFn perform) noexcept {
    try {
        JobContext ctx(raw, args);
        char buffer[4096];  // small arguments parse without touching the heap
        rapidjson::MemoryPoolAllocator<> allocator(buffer, sizeof buffer);
        rapidjson::Document doc(&allocator);
        // Iterative: deeply nested arguments cannot overflow the executor thread's stack.
        doc.Parse<rapidjson::kParseIterativeFlag>(args.data(), args.size());
        if (doc.HasParseError()) return report_parse_error(raw, doc);
        perform(ctx, doc);
        return ONYX_BG_JOB_OK;
    } catch (const JobError& e) {
        return report_failure(raw, e.error_class(), e.what());
    } catch (const std::exception& e) {
        return report_typed_failure(raw, typeid(e), e.what());
    } catch (...) {
        return report_unknown_exception(raw);
    }
}

/// The C handler generated for job class T: one T per attempt.
template <class T>
int32_t handle_job(void*, const onyx_bg_job_context* raw, const char* args, size_t args_len) noexcept {
    static_assert(std::is_base_of_v<Job, T>, "a job class must derive from onyx_background::Job");
    static_assert(std::is_default_constructible_v<T>, "a job class must be default-constructible");
    return run_attempt(*raw, std::string_view(args, args_len), [](JobContext& ctx, const rapidjson::Value& a) {
        T job;
        job.perform(ctx, a);
    });
}

/// The plugin's init: remembers the host table, then runs the author's init, if any.
inline int32_t plugin_init(const onyx_bg_host_api* host, const onyx_bg_config_item* items,
                           size_t count, char* error, size_t error_size) noexcept {
    Registry& r = registry();
    r.host = host;
    if (r.init == nullptr) return 0;
    try {
        PluginConfig config;
        for (size_t i = 0; i < count; ++i)
            config.insert_or_assign(std::string(items[i].key, items[i].key_len),
                                    std::string(items[i].value, items[i].value_len));
        r.init(config);
        return 0;
    } catch (const std::exception& e) {
        copy_error(error, error_size, e.what());
    } catch (...) {
        copy_error(error, error_size, "init threw an exception that is not a std::exception");
    }
    return 1;
}

/// The plugin's fini: runs the author's fini, if any, swallowing exceptions.
inline void plugin_fini() noexcept {
    Registry& r = registry();
    try {
        if (r.fini != nullptr) r.fini();
    } catch (...) {
        // nothing to report to: the host is unloading us
    }
    r.host = nullptr;
}

/// The descriptor the entry symbol returns; nullptr when a registration failed.
inline const onyx_bg_plugin* plugin_descriptor() noexcept {
    Registry& r = registry();
    if (r.broken) return nullptr;
    // Both sizes from this header's layout, so a rebuild against a grown header declares them.
    r.descriptor = onyx_bg_plugin{ONYX_BG_ABI_VERSION, sizeof(onyx_bg_plugin), r.name, r.version,
                                  r.classes.data(), r.classes.size(), &plugin_init, &plugin_fini,
                                  sizeof(onyx_bg_job_class)};
    return &r.descriptor;
}

/// The ABI's retry_limit for JobType: its `static constexpr int retries` when it declares one
/// (0 = never retry), else 0 = the queue's policy.
template <typename JobType>
constexpr int32_t class_retry_limit() {
    if constexpr (requires { JobType::retries; }) return JobType::retries <= 0 ? -1 : JobType::retries;
    else return 0;
}

/// The ABI's timeout_ms for JobType: its `static constexpr int64_t timeout_ms` when it
/// declares one (0 = no timeout), else 0 = the queue's policy.
template <typename JobType>
constexpr int64_t class_timeout_ms() {
    if constexpr (requires { JobType::timeout_ms; }) return JobType::timeout_ms <= 0 ? -1 : JobType::timeout_ms;
    else return 0;
}

/// Created by ONYX_BACKGROUND_JOB at static-initialization time: adds one class.
struct ClassRegistration {
    ClassRegistration(const char* name, onyx_bg_job_handler_fn handler, int32_t retry_limit,
                      int64_t timeout_ms) noexcept {
        try {
            registry().classes.push_back(onyx_bg_job_class{name, handler, nullptr, retry_limit, timeout_ms});
        } catch (...) {
            registry().broken = true;
        }
    }
};

/// Created by ONYX_BACKGROUND_PLUGIN: names the plugin.
struct PluginRegistration {
    PluginRegistration(const char* name, const char* version) noexcept {
        registry().name = name;
        registry().version = version;
    }
};

/// Created by ONYX_BACKGROUND_PLUGIN_INIT / _FINI: installs the author's hooks.
struct HookRegistration {
    explicit HookRegistration(void (*init)(const PluginConfig&)) noexcept { registry().init = init; }
    explicit HookRegistration(void (*fini)()) noexcept { registry().fini = fini; }
};

}  // namespace detail

inline void plugin_log(LogLevel level, std::string_view text) noexcept {
    const onyx_bg_host_api* host = detail::registry().host;
    if (host != nullptr) host->log(nullptr, static_cast<int32_t>(level), text.data(), text.size());
}

}  // namespace onyx_background

extern "C" {
/// The plugin's entry symbol (ONYX_BG_PLUGIN_ENTRY_SYMBOL). Inline, so every file that
/// includes this header may define it and the linker keeps one; `used` and default visibility
/// so it is emitted and exported even under -fvisibility=hidden. Returns the descriptor of
/// everything registered in this .so, or NULL when a registration failed. Never throws.
[[gnu::used, gnu::visibility("default")]] inline const onyx_bg_plugin* onyx_bg_plugin_entry(void) noexcept {
    return ::onyx_background::detail::plugin_descriptor();
}
}

#define ONYX_BG_DETAIL_CAT2(a, b) a##b
#define ONYX_BG_DETAIL_CAT(a, b) ONYX_BG_DETAIL_CAT2(a, b)
#define ONYX_BG_DETAIL_UNIQUE(prefix) ONYX_BG_DETAIL_CAT(prefix, __COUNTER__)

/// Registers job class `JobType` (derived from onyx_background::Job) under the `cls` name
/// `class_name` (a string literal, e.g. "Jobs::Nap"). Use once per class at namespace scope,
/// in any file of the plugin, followed by a semicolon. JobType may declare
/// `static constexpr int retries = N;` (retries after the first attempt, 0 = none) and
/// `static constexpr int64_t timeout_ms = N;` (0 = none) to override the queue's policy.
#define ONYX_BACKGROUND_JOB(class_name, JobType)                                               \
    static const ::onyx_background::detail::ClassRegistration ONYX_BG_DETAIL_UNIQUE(            \
        onyx_bg_job_registration_){class_name, &::onyx_background::detail::handle_job<JobType>, \
                                   ::onyx_background::detail::class_retry_limit<JobType>(),     \
                                   ::onyx_background::detail::class_timeout_ms<JobType>()}

/// Optional, at most once per plugin: names the plugin (string literals). The name selects the
/// `[plugin.<name>]` INI section; without this macro the daemon names the plugin after its file
/// (`/x/files.so` -> "files") and the version is empty.
#define ONYX_BACKGROUND_PLUGIN(plugin_name, plugin_version)                                    \
    static const ::onyx_background::detail::PluginRegistration ONYX_BG_DETAIL_UNIQUE(           \
        onyx_bg_plugin_registration_){plugin_name, plugin_version}

/// Optional, at most once per plugin: `void init(const onyx_background::PluginConfig&)` runs
/// once on the daemon's main thread before any job, with the plugin's `[plugin.<name>]`
/// section. Throwing refuses the plugin (what() becomes the load error).
#define ONYX_BACKGROUND_PLUGIN_INIT(init_function)                                             \
    static const ::onyx_background::detail::HookRegistration ONYX_BG_DETAIL_UNIQUE(             \
        onyx_bg_init_registration_){static_cast<void (*)(const ::onyx_background::PluginConfig&)>(init_function)}

/// Optional, at most once per plugin: `void fini()` runs once before the plugin is unloaded,
/// when none of its jobs runs any more. Exceptions are swallowed.
#define ONYX_BACKGROUND_PLUGIN_FINI(fini_function)                                             \
    static const ::onyx_background::detail::HookRegistration ONYX_BG_DETAIL_UNIQUE(             \
        onyx_bg_fini_registration_){static_cast<void (*)()>(fini_function)}
