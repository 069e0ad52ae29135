#include "plugins/job_invocation.hpp"

#include "plugins/host_api.hpp"

namespace onyx::plugins {

namespace {

onyx_bg_job_context make_context(const JobInvocation& inv, AttemptState& state) noexcept {
    onyx_bg_job_context ctx{};
    ctx.struct_size = sizeof(onyx_bg_job_context);
    ctx.job_id = inv.job_id.data();
    ctx.job_id_len = inv.job_id.size();
    ctx.attempt_id = inv.attempt_id.data();
    ctx.attempt_id_len = inv.attempt_id.size();
    ctx.queue = inv.queue.data();
    ctx.queue_len = inv.queue.size();
    ctx.job_class = inv.job_class.data();
    ctx.job_class_len = inv.job_class.size();
    ctx.enqueued_at_ms = inv.enqueued_at_ms;
    ctx.started_at_ms = inv.started_at_ms;
    ctx.attempt_number = inv.attempt_number;
    ctx.host = &host_api();
    ctx.job_handle = &state;
    return ctx;
}

JobOutcome failed_outcome(int32_t status, AttemptState& state) {
    JobOutcome outcome;
    if (status != ONYX_BG_JOB_FAILED) {
        outcome.error_class = "InvalidHandlerResult";
        outcome.error_message = "the job handler returned " + std::to_string(status) +
                                ", which is neither OK (0) nor FAILED (1)";
    } else if (!state.fail_called || state.error_class.empty()) {
        outcome.error_class = "JobFailed";
        outcome.error_message = state.fail_called ? std::move(state.error_message)
                                                  : "the job handler failed without saying why";
    } else {
        outcome.error_class = std::move(state.error_class);
        outcome.error_message = std::move(state.error_message);
    }
    return outcome;
}

}  // namespace

JobOutcome invoke_job(const JobClass& job_class, const JobInvocation& invocation) {
    try {
        AttemptState state;
        state.invocation = &invocation;
        onyx_bg_job_context ctx = make_context(invocation, state);
        std::string_view args = invocation.args_json.empty() ? std::string_view("{}") : invocation.args_json;
        int32_t status = job_class.perform(job_class.class_data, &ctx, args.data(), args.size());
        // A handler may call fail and still return OK: the attempt completed.
        if (status == ONYX_BG_JOB_OK) return JobOutcome{true, {}, {}};
        return failed_outcome(status, state);
    } catch (...) {
        // Only our own bookkeeping can throw here (out of memory): the plugin side is C.
        JobOutcome outcome;
        outcome.error_class = "HostError";
        return outcome;
    }
}

}  // namespace onyx::plugins
