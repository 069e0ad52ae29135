// onyx-background test kit: a fake host that runs a plugin's job classes inside a unit test,
// without a worker, a .so or Redis. Compile the plugin's sources into the test program (their
// ONYX_BACKGROUND_* macros register the classes there just as in the .so) and write:
//
//     #include <onyx_background/testkit.hpp>
//
//     onyx_background::testkit::FakeHost host({{"level", "9"}});   // runs the plugin's init
//     onyx_background::testkit::Outcome outcome = host.run("Jobs::Nap", R"({"sleep": 0.01})");
//     EXPECT_TRUE(outcome.ok);
//
// The handler runs through the same C ABI the daemon calls (entry symbol, descriptor, host API
// table), so argument parsing, exceptions and cancellation behave as in a worker. Differences
// from the daemon: messages and error classes are kept whole (the daemon cuts them to 1 KiB and
// 256 bytes), every log line is kept whatever its level, and nothing is retried.
//
// Header-only, C++20, no test framework needed. One FakeHost at a time per program: the
// plugin's registry, like its host pointer, is one per program.
#pragma once

#include <onyx_background/job.hpp>

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace onyx_background::testkit {

/// One line a plugin logged.
struct LogLine {
    LogLevel level;
    std::string text;
};

/// How one attempt ended, as the daemon would record it.
struct Outcome {
    bool ok = false;            ///< the attempt completed
    std::string error_class;    ///< the attempt's `err` (e.g. "JobCancelled"); empty when ok
    std::string message;        ///< the failure message; empty when ok
    std::vector<LogLine> logs;  ///< the lines the attempt logged, in order
};

/// A class's own retry policy, as registered (the daemon's meaning of onyx_bg_job_class).
struct ClassPolicy {
    int32_t retry_limit = 0;  ///< 0 = the queue's policy, -1 = never retry, N > 0 = N retries
    int64_t timeout_ms = 0;   ///< 0 = the queue's policy, -1 = none, N > 0 = N ms
};

/// What the fake host tells the handler about the attempt (JobContext's getters).
struct Attempt {
    std::string job_id = "00000000-0000-4000-8000-000000000001";
    std::string attempt_id = "00000000-0000-4000-8000-000000000002";
    std::string queue = "default";
    int64_t enqueued_at_ms = 0;  ///< Unix epoch ms
    int64_t started_at_ms = 0;   ///< Unix epoch ms
    uint32_t attempt_number = 1; ///< 1 = first attempt
};

/// The host side of plugin.h for tests: loads the plugin linked into this program, runs its
/// classes, records outcomes and logs. run() may be called from several threads at once;
/// everything else from one thread.
class FakeHost {
public:
    /// Calls the program's entry symbol and the plugin's init with `settings` (its
    /// `[plugin.<name>]` section). Throws std::runtime_error with the plugin's reason when the
    /// entry returns NULL, its ABI version differs or init fails.
    explicit FakeHost(const PluginConfig& settings = {}) {
        descriptor_ = onyx_bg_plugin_entry();
        if (descriptor_ == nullptr) throw std::runtime_error("the plugin's entry returned NULL");
        if (descriptor_->abi_version != ONYX_BG_ABI_VERSION) throw std::runtime_error("ABI version differs");
        current() = this;
        try {
            init(settings);
        } catch (...) {
            current() = nullptr;
            throw;
        }
    }
    /// Runs the plugin's fini when its init ran.
    ~FakeHost() {
        if (initialized_ && descriptor_->fini != nullptr) descriptor_->fini();
        current() = nullptr;
    }
    /// The same with the settings written in place: `FakeHost host({{"level", "9"}})`.
    FakeHost(std::initializer_list<PluginConfig::value_type> settings) : FakeHost(PluginConfig(settings)) {}
    FakeHost(const FakeHost&) = delete;
    FakeHost& operator=(const FakeHost&) = delete;

    /// Runs one attempt of `class_name` with `args_json` ("{}" when empty) on the calling
    /// thread and returns its outcome. Throws std::invalid_argument when no such class is
    /// registered.
    Outcome run(std::string_view class_name, std::string_view args_json = "{}", const Attempt& attempt = {}) {
        const onyx_bg_job_class& cls = find(class_name);
        Record record{this, {}, false};
        onyx_bg_job_context ctx = context(attempt, class_name, record);
        std::string_view args = args_json.empty() ? std::string_view("{}") : args_json;
        int32_t status = cls.perform(cls.class_data, &ctx, args.data(), args.size());
        return finish(status, std::move(record));
    }

    /// The retry limit and timeout `class_name` registered. Throws std::invalid_argument when
    /// no such class is registered.
    ClassPolicy policy(std::string_view class_name) const {
        const onyx_bg_job_class& cls = find(class_name);
        return {cls.retry_limit, cls.timeout_ms};
    }

    /// From now on, cancel_requested() is `requested` for running and later attempts (as a
    /// timeout or a shutdown sets it in the daemon). Thread-safe.
    void cancel(bool requested = true) noexcept { cancel_.store(requested, std::memory_order_relaxed); }

    /// Lines logged outside any attempt (init, fini, plugin_log), in order.
    std::vector<LogLine> plugin_logs() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return plugin_logs_;
    }

private:
    // What job_handle points at during one attempt.
    struct Record {
        FakeHost* host;
        Outcome outcome;
        bool fail_called;
    };

    static FakeHost*& current() noexcept {
        static FakeHost* host = nullptr;
        return host;
    }

    void init(const PluginConfig& settings) {
        if (descriptor_->init == nullptr) return;
        std::vector<onyx_bg_config_item> items;
        for (const auto& [key, value] : settings)
            items.push_back({key.data(), key.size(), value.data(), value.size()});
        char reason[512] = "";
        if (descriptor_->init(&host_table(), items.data(), items.size(), reason, sizeof reason) != 0)
            throw std::runtime_error("init failed: " + std::string(reason));
        initialized_ = true;
    }

    const onyx_bg_job_class& find(std::string_view class_name) const {
        for (size_t i = 0; i < descriptor_->class_count; ++i)
            if (class_name == descriptor_->classes[i].name) return descriptor_->classes[i];
        throw std::invalid_argument("no job class \"" + std::string(class_name) + "\" is registered");
    }

    static onyx_bg_job_context context(const Attempt& a, std::string_view cls, Record& record) noexcept {
        onyx_bg_job_context ctx{};
        ctx.struct_size = sizeof(onyx_bg_job_context);
        ctx.job_id = a.job_id.data(), ctx.job_id_len = a.job_id.size();
        ctx.attempt_id = a.attempt_id.data(), ctx.attempt_id_len = a.attempt_id.size();
        ctx.queue = a.queue.data(), ctx.queue_len = a.queue.size();
        ctx.job_class = cls.data(), ctx.job_class_len = cls.size();
        ctx.enqueued_at_ms = a.enqueued_at_ms;
        ctx.started_at_ms = a.started_at_ms;
        ctx.attempt_number = a.attempt_number;
        ctx.host = &host_table();
        ctx.job_handle = &record;
        return ctx;
    }

    // The daemon's rules (job_invocation.cpp): OK completes even after fail; FAILED without a
    // fail call is "JobFailed"; another status is "InvalidHandlerResult".
    static Outcome finish(int32_t status, Record&& record) {
        Outcome outcome = std::move(record.outcome);
        outcome.ok = status == ONYX_BG_JOB_OK;
        if (outcome.ok) {
            outcome.error_class.clear(), outcome.message.clear();
        } else if (status != ONYX_BG_JOB_FAILED) {
            outcome.error_class = "InvalidHandlerResult";
            outcome.message = "the job handler returned " + std::to_string(status);
        } else if (!record.fail_called || outcome.error_class.empty()) {
            outcome.error_class = "JobFailed";
            if (!record.fail_called) outcome.message = "the job handler failed without saying why";
        }
        return outcome;
    }

    static const onyx_bg_host_api& host_table() noexcept {
        static const onyx_bg_host_api table{sizeof(onyx_bg_host_api), &host_log, &host_fail, &host_cancel};
        return table;
    }

    static void host_log(void* handle, int32_t level, const char* text, size_t len) noexcept {
        try {
            LogLine line{static_cast<LogLevel>(level), std::string(text, len)};
            if (handle != nullptr) {
                static_cast<Record*>(handle)->outcome.logs.push_back(std::move(line));
            } else if (FakeHost* host = current()) {
                std::lock_guard<std::mutex> lock(host->mutex_);
                host->plugin_logs_.push_back(std::move(line));
            }
        } catch (...) {
            // out of memory: the line is lost, as in the daemon
        }
    }

    static void host_fail(void* handle, const char* cls, size_t cls_len, const char* text, size_t len) noexcept {
        if (handle == nullptr) return;
        auto* record = static_cast<Record*>(handle);
        try {
            record->outcome.error_class.assign(cls, cls_len);
            record->outcome.message.assign(text, len);
        } catch (...) {
            record->outcome.error_class.clear();
        }
        record->fail_called = true;
    }

    static int32_t host_cancel(void* handle) noexcept {
        if (handle == nullptr) return 0;
        return static_cast<Record*>(handle)->host->cancel_.load(std::memory_order_relaxed) ? 1 : 0;
    }

    const onyx_bg_plugin* descriptor_ = nullptr;
    bool initialized_ = false;
    std::atomic<bool> cancel_{false};
    mutable std::mutex mutex_;  // guards plugin_logs_
    std::vector<LogLine> plugin_logs_;
};

}  // namespace onyx_background::testkit
