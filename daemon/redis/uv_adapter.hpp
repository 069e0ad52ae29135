// Attaches an async hiredis context to a libuv loop. Our own instead of hiredis's
// adapters/libuv.h, which in Debian's 0.14.1 ignores poll errors: here a poll error is handed
// to hiredis as a read, so the failure is seen and the connection closed, not left hanging.
#pragma once

#include <hiredis/async.h>
#include <uv.h>

namespace onyx::redis {

/// Attaches `context` to `loop`. Returns false when the context already has an event adapter
/// or the poll handle cannot be created (the caller then frees the context). Loop thread only.
/// hiredis calls the adapter's cleanup when it frees the context; the poll handle is closed
/// then and its memory freed in the close callback.
bool attach_to_loop(redisAsyncContext* context, uv_loop_t* loop);

}  // namespace onyx::redis
