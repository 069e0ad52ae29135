#include "redis/uv_adapter.hpp"

#include <new>

namespace onyx::redis {
namespace {

struct PollEvents {
    redisAsyncContext* context = nullptr;
    uv_poll_t handle{};
    int events = 0;
};

void on_poll(uv_poll_t* handle, int status, int events) {
    auto* p = static_cast<PollEvents*>(handle->data);
    if (p->context == nullptr) return;
    if (status < 0) {
        // libuv stopped the handle: forget the events so that a later add_read starts it again.
        p->events = 0;
        // Let hiredis read the socket error and disconnect instead of polling a dead socket.
        redisAsyncHandleRead(p->context);
        return;
    }
    if (events & UV_READABLE) redisAsyncHandleRead(p->context);
    // The read may have freed the context (disconnect): cleanup cleared the pointer.
    if (p->context != nullptr && (events & UV_WRITABLE)) redisAsyncHandleWrite(p->context);
}

// hiredis asks for write events on every command it buffers; libuv's uv_poll_start removes
// and re-adds the socket in epoll even when nothing changes (two syscalls per command), so
// only a real change reaches libuv.
void set_events(PollEvents* p, int events) {
    if (events == p->events) return;
    p->events = events;
    if (events != 0) uv_poll_start(&p->handle, events, on_poll);
    else uv_poll_stop(&p->handle);
}

void add_read(void* data) { auto* p = static_cast<PollEvents*>(data); set_events(p, p->events | UV_READABLE); }
void del_read(void* data) { auto* p = static_cast<PollEvents*>(data); set_events(p, p->events & ~UV_READABLE); }
void add_write(void* data) { auto* p = static_cast<PollEvents*>(data); set_events(p, p->events | UV_WRITABLE); }
void del_write(void* data) { auto* p = static_cast<PollEvents*>(data); set_events(p, p->events & ~UV_WRITABLE); }

void cleanup(void* data) {
    auto* p = static_cast<PollEvents*>(data);
    p->context = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&p->handle),
             [](uv_handle_t* h) { delete static_cast<PollEvents*>(h->data); });
}

}  // namespace

bool attach_to_loop(redisAsyncContext* context, uv_loop_t* loop) {
    if (context->ev.data != nullptr) return false;
    auto* p = new (std::nothrow) PollEvents;
    if (p == nullptr) return false;
    if (uv_poll_init(loop, &p->handle, context->c.fd) != 0) {
        delete p;
        return false;
    }
    p->context = context;
    p->handle.data = p;
    context->ev.data = p;
    context->ev.addRead = add_read;
    context->ev.delRead = del_read;
    context->ev.addWrite = add_write;
    context->ev.delWrite = del_write;
    context->ev.cleanup = cleanup;
    return true;
}

}  // namespace onyx::redis
