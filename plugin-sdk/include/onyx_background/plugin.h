/* onyx-background plugin ABI, version 1.
 *
 * The whole contract between the daemon (the host) and a job plugin (a .so file). Pure C,
 * fixed-width types, pointer + length buffers; nothing from C++ or a third-party library.
 *
 *   onyx_bg_plugin_*   what the plugin implements and exports
 *   onyx_bg_host_*     what the host provides to the plugin
 *
 * Loading: the host dlopen()s the file with RTLD_NOW | RTLD_LOCAL, looks up the one entry
 * symbol ONYX_BG_PLUGIN_ENTRY_SYMBOL, calls it, and refuses the file unless the returned
 * descriptor's abi_version equals ONYX_BG_ABI_VERSION. Structs that cross the boundary start
 * with a size field so later versions can append members.
 *
 * No C++ exception may cross this boundary: every function the plugin exports must catch
 * everything (the C++ layer in job.hpp does it for you).
 */
#ifndef ONYX_BACKGROUND_PLUGIN_H
#define ONYX_BACKGROUND_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** ABI version this header describes. Bumped on any incompatible change. */
#define ONYX_BG_ABI_VERSION 1u

/** Name of the one symbol a plugin exports: a function of type onyx_bg_plugin_entry_fn. */
#define ONYX_BG_PLUGIN_ENTRY_SYMBOL "onyx_bg_plugin_entry"

/** Log levels for onyx_bg_host_api.log, most severe first. */
typedef enum onyx_bg_log_level {
    ONYX_BG_LOG_ERROR = 0,
    ONYX_BG_LOG_WARN = 1,
    ONYX_BG_LOG_INFO = 2,
    ONYX_BG_LOG_DEBUG = 3
} onyx_bg_log_level;

/** Return values of a job handler. */
typedef enum onyx_bg_job_status {
    ONYX_BG_JOB_OK = 0,     /**< the attempt completed */
    ONYX_BG_JOB_FAILED = 1  /**< the attempt failed; call host->fail first to say why */
} onyx_bg_job_status;

/** One key = value pair of the plugin's `[plugin.<name>]` INI section.
 *  OWNERSHIP: host-owned, valid only during the init call. Not NUL-terminated. */
typedef struct onyx_bg_config_item {
    const char* key;
    size_t key_len;
    const char* value;
    size_t value_len;
} onyx_bg_config_item;

/** Functions the host provides. The table is host-owned and lives until the plugin is
 *  unloaded. Every function is safe to call from the executor thread running the job;
 *  `job_handle` is the value of onyx_bg_job_context.job_handle (NULL during init). */
typedef struct onyx_bg_host_api {
    uint32_t struct_size; /**< sizeof(onyx_bg_host_api) as the host built it */

    /** Writes one log line attributed to the job (or to the plugin when job_handle is NULL).
     *  `message` is not NUL-terminated; the host copies it. */
    void (*log)(void* job_handle, int32_t level, const char* message, size_t message_len);

    /** Records why the attempt failed: an error class name (e.g. "std::runtime_error", kept
     *  in the attempt's `err` field) and a message (kept, cut to 1 KiB). The host copies both.
     *  Call before returning ONYX_BG_JOB_FAILED; a later call replaces an earlier one. */
    void (*fail)(void* job_handle, const char* error_class, size_t error_class_len,
                 const char* message, size_t message_len);

    /** Returns 1 once the host wants the job to stop early (timeout, shutdown), else 0.
     *  Cancellation is cooperative: the host never kills the thread. */
    int32_t (*cancel_requested)(void* job_handle);
} onyx_bg_host_api;

/** What the handler gets to know about the attempt it runs.
 *  OWNERSHIP: host-owned, valid only during the handler call. Strings are not NUL-terminated. */
typedef struct onyx_bg_job_context {
    uint32_t struct_size;      /**< sizeof(onyx_bg_job_context) as the host built it */
    const char* job_id;        /**< UUID of the job (`<ns>:jobs:<id>`) */
    size_t job_id_len;
    const char* attempt_id;    /**< UUID of this attempt (`<ns>:attempts:<id>`) */
    size_t attempt_id_len;
    const char* queue;         /**< queue the job was taken from */
    size_t queue_len;
    const char* job_class;     /**< the job's `cls`, e.g. "Jobs::Nap" */
    size_t job_class_len;
    int64_t enqueued_at_ms;    /**< the job's `qat`: Unix epoch ms, 0 when absent */
    int64_t started_at_ms;     /**< this attempt's `sta`: Unix epoch ms */
    uint32_t attempt_number;   /**< 1 for the first attempt of the job, 2 for its first retry, ... */
    const onyx_bg_host_api* host; /**< the host's functions */
    void* job_handle;          /**< opaque; pass to the host functions */
} onyx_bg_job_context;

/** Runs one attempt of a job. `args_json` is the job's `arg` field (JSON text, "{}" when the
 *  producer gave none), not NUL-terminated, host-owned, valid during the call.
 *  Returns ONYX_BG_JOB_OK or ONYX_BG_JOB_FAILED. Runs on an executor thread, never on the
 *  host's event loop; may block. Must not throw or longjmp across the boundary. */
typedef int32_t (*onyx_bg_job_handler_fn)(void* class_data, const onyx_bg_job_context* ctx,
                                          const char* args_json, size_t args_len);

/** One job class the plugin handles. OWNERSHIP: plugin-owned, must stay valid until unload.
 *  A zero-initialised override means "use the queue's policy", so `{name, perform, data}`
 *  is a complete entry. A job's own `rty` field beats retry_limit. */
typedef struct onyx_bg_job_class {
    const char* name;               /**< NUL-terminated `cls` value, e.g. "Jobs::Nap" */
    onyx_bg_job_handler_fn perform; /**< the handler */
    void* class_data;               /**< passed back to perform as-is */
    int32_t retry_limit;            /**< retries after the first attempt: 0 = queue policy,
                                         -1 = never retry, N > 0 = N retries */
    int64_t timeout_ms;             /**< attempt timeout: 0 = queue policy, -1 = none, N > 0 = N ms */
} onyx_bg_job_class;

/** Called once after the ABI check, before any job runs, on the host's main thread.
 *  Returns 0 on success; on failure writes a NUL-terminated reason of at most error_size bytes
 *  into `error` and returns nonzero, and the host unloads the plugin. May be NULL. */
typedef int32_t (*onyx_bg_plugin_init_fn)(const onyx_bg_host_api* host,
                                          const onyx_bg_config_item* config, size_t config_count,
                                          char* error, size_t error_size);

/** Called once before unload, when no job of the plugin runs any more. May be NULL. */
typedef void (*onyx_bg_plugin_fini_fn)(void);

/** What the entry symbol returns. OWNERSHIP: plugin-owned, static, valid until unload. */
typedef struct onyx_bg_plugin {
    uint32_t abi_version;          /**< must be ONYX_BG_ABI_VERSION; checked first */
    uint32_t struct_size;          /**< sizeof(onyx_bg_plugin) as the plugin built it */
    const char* name;              /**< NUL-terminated plugin name (selects `[plugin.<name>]`) */
    const char* version;           /**< NUL-terminated plugin version, informational */
    const onyx_bg_job_class* classes; /**< array of class_count classes */
    size_t class_count;
    onyx_bg_plugin_init_fn init;   /**< may be NULL */
    onyx_bg_plugin_fini_fn fini;   /**< may be NULL */
} onyx_bg_plugin;

/** Type of the entry symbol. Never returns NULL for a working plugin; a NULL return is
 *  reported as a broken plugin. */
typedef const onyx_bg_plugin* (*onyx_bg_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* ONYX_BACKGROUND_PLUGIN_H */
