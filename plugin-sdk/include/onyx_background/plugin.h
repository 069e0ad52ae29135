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
 * descriptor's abi_version equals ONYX_BG_ABI_VERSION.
 *
 * No C++ exception may cross this boundary: every function the plugin exports must catch
 * everything (the C++ layer in job.hpp does it for you).
 *
 * COMPATIBILITY: how this header may change (check every box before editing below).
 *
 * Four structs cross the boundary. Each has a declared size: the plugin declares
 * onyx_bg_plugin.struct_size and onyx_bg_plugin.class_size (the size of every entry of its
 * class table), the host declares onyx_bg_host_api.struct_size and
 * onyx_bg_job_context.struct_size. Their version-1 layouts are frozen; ONYX_BG_*_V1_SIZE
 * give their sizes, which never change.
 *
 * Within version 1 (no bump) you may only APPEND:
 *   [ ] the new member goes at the end of its struct, after every existing one;
 *   [ ] its comment says "appended:" and what it means when absent; zero must mean the same
 *       as absent, so a C plugin that zero-initialises what it does not know stays right;
 *   [ ] the reader of the struct (the side that did not build it) reads the member only when
 *       the declared size covers it (ONYX_BG_SIZE_COVERS) and otherwise uses that default;
 *   [ ] a plugin that calls an appended host function checks the host's struct_size first
 *       and copes without it (an older daemon never has it);
 *   [ ] the host keeps accepting every size >= the V1 size: never require its own sizeof;
 *   [ ] docs/plugins.md lists the member under "The C ABI", and a fixture built against the
 *       older layout (tests/fixtures/plugins/v1_plugin.c) still loads and runs.
 *
 * Anything else needs a new ONYX_BG_ABI_VERSION (and a note in docs/operations.md "Upgrade",
 * since the daemon then refuses plugins of the old version):
 *   - removing, reordering, retyping or renaming a member, or changing what a value means;
 *   - changing a V1 size, the entry symbol, ownership or threading rules;
 *   - a new value a handler may return or the host may pass that an older peer cannot
 *     handle (an unknown handler status is recorded as InvalidHandlerResult);
 *   - an appended member an older peer must not ignore (the plugin cannot work without it).
 *
 * Decision record: class_size was appended to onyx_bg_plugin before the first release, as the
 * first append under these rules. The class entry's own layout did not change, so it stayed
 * version 1: a plugin built before it declares struct_size = ONYX_BG_PLUGIN_V1_SIZE and its
 * class table is read with entries of ONYX_BG_JOB_CLASS_V1_SIZE bytes.
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

/** True when a struct whose declared size is `size` bytes contains `member` of `type` whole:
 *  the test every reader makes before reading a member appended after version 1. */
#define ONYX_BG_SIZE_COVERS(size, type, member) \
    ((size) >= offsetof(type, member) + sizeof(((const type*)0)->member))

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
    uint32_t struct_size; /**< sizeof(onyx_bg_host_api) as the host built it; at least
                               ONYX_BG_HOST_API_V1_SIZE */

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
    uint32_t struct_size;      /**< sizeof(onyx_bg_job_context) as the host built it; at least
                                    ONYX_BG_JOB_CONTEXT_V1_SIZE */
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
 *  is a complete entry. A job's own `rty` field beats retry_limit. Members appended later
 *  are read only when onyx_bg_plugin.class_size covers them. */
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
    uint32_t struct_size;          /**< sizeof(onyx_bg_plugin) as the plugin built it; at
                                        least ONYX_BG_PLUGIN_V1_SIZE */
    const char* name;              /**< NUL-terminated plugin name (selects `[plugin.<name>]`) */
    const char* version;           /**< NUL-terminated plugin version, informational */
    const onyx_bg_job_class* classes; /**< array of class_count classes */
    size_t class_count;
    onyx_bg_plugin_init_fn init;   /**< may be NULL */
    onyx_bg_plugin_fini_fn fini;   /**< may be NULL */
    /* --- end of the version-1 layout (ONYX_BG_PLUGIN_V1_SIZE) --- */
    uint32_t class_size;           /**< appended: sizeof(onyx_bg_job_class) as the plugin built
                                        it, the distance in bytes between two entries of
                                        `classes`. Absent or 0: ONYX_BG_JOB_CLASS_V1_SIZE;
                                        otherwise at least that. */
} onyx_bg_plugin;

/* The frozen version-1 sizes (bytes): the end of each struct's last version-1 member. A reader
 * refuses a declared size below these, and reads what lies beyond only when it is declared. */
#define ONYX_BG_PLUGIN_V1_SIZE (offsetof(onyx_bg_plugin, fini) + sizeof(onyx_bg_plugin_fini_fn))
#define ONYX_BG_JOB_CLASS_V1_SIZE (offsetof(onyx_bg_job_class, timeout_ms) + sizeof(int64_t))
#define ONYX_BG_HOST_API_V1_SIZE \
    (offsetof(onyx_bg_host_api, cancel_requested) + sizeof(int32_t (*)(void*)))
#define ONYX_BG_JOB_CONTEXT_V1_SIZE (offsetof(onyx_bg_job_context, job_handle) + sizeof(void*))

/* On LP64 (amd64, arm64: what the .deb is built for) the frozen sizes are these numbers; a
 * member inserted or retyped before the end of a version-1 layout fails the build here. */
#if UINTPTR_MAX == 0xFFFFFFFFFFFFFFFFu && \
    (defined(__cplusplus) || (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L))
#ifdef __cplusplus
#define ONYX_BG_FROZEN(expr, text) static_assert(expr, text)
#else
#define ONYX_BG_FROZEN(expr, text) _Static_assert(expr, text)
#endif
ONYX_BG_FROZEN(ONYX_BG_PLUGIN_V1_SIZE == 56, "onyx_bg_plugin's version-1 layout is frozen");
ONYX_BG_FROZEN(ONYX_BG_JOB_CLASS_V1_SIZE == 40, "onyx_bg_job_class's version-1 layout is frozen");
ONYX_BG_FROZEN(ONYX_BG_HOST_API_V1_SIZE == 32, "onyx_bg_host_api's version-1 layout is frozen");
ONYX_BG_FROZEN(ONYX_BG_JOB_CONTEXT_V1_SIZE == 112, "onyx_bg_job_context's version-1 layout is frozen");
#undef ONYX_BG_FROZEN
#endif

/** Type of the entry symbol. Never returns NULL for a working plugin; a NULL return is
 *  reported as a broken plugin. */
typedef const onyx_bg_plugin* (*onyx_bg_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* ONYX_BACKGROUND_PLUGIN_H */
