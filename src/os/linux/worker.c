/* worker.c - the scan worker's loop (see worker.h). */
#include "os/linux/worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/linux/sandbox.h"
#include "os/linux/wproto.h"

void worker_log(int sock, enum vigil_log_level level, const char *text)
{
    struct wbuf b = {0};

    wbuf_u32(&b, (uint32_t)level);
    wbuf_bytes(&b, text, strnlen(text, WPROTO_MAX_TEXT));
    if (!b.failed)
        wproto_send(sock, WMSG_LOG, b.p, b.len, -1);
    wbuf_free(&b);
}

static void forward_log(void *ctx, enum vigil_log_level level, const char *msg)
{
    worker_log(*(const int *)ctx, level, msg);
}

static vigil_status hello(int sock, vigil_status st, const struct sandbox_info *si)
{
    struct wbuf b = {0};
    const char *why = si->why;

    if (st != VIGIL_OK) {
        wproto_send(sock, WMSG_FAIL, why, strnlen(why, WPROTO_MAX_TEXT), -1);
        return st;
    }
    wbuf_u32(&b, (uint32_t)getpid());
    wbuf_u32(&b, (uint32_t)si->landlock_abi);
    wbuf_u32(&b, si->seccomp);
    wbuf_bytes(&b, why, strlen(why));
    st = b.failed ? VIGIL_ENOMEM : wproto_send(sock, WMSG_HELLO, b.p, b.len, -1);
    wbuf_free(&b);
    return st;
}

/* Scans the object of one WMSG_SCAN and sends its verdict. */
static vigil_status scan_one(const struct worker_config *c, vigil_scanner *s,
                             const struct wmsg *m)
{
    struct wreader r = {m->buf, m->len};
    const vigil_result *res = NULL;
    struct wbuf b = {0};
    char *name = NULL;
    uint64_t id;
    vigil_status st;

    if (wread_u64(&r, &id) || wread_text(&r, r.left, &name))
        return VIGIL_EMALFORMED;
    if (c->before_scan)
        c->before_scan(c->ctx, c->sock, m->fd);
    st = vigil_scan_fd(s, m->fd, name, c->scan, &res);
    wverdict_encode(&b, id, st, st == VIGIL_OK ? res : NULL, c->extra);
    st = b.failed ? VIGIL_ENOMEM : wproto_send(c->sock, WMSG_VERDICT, b.p, b.len, -1);
    wbuf_free(&b);
    free(name);
    return st;
}

vigil_status worker_serve(const struct worker_config *c)
{
    struct sandbox_info si;
    vigil_scanner *s = NULL;
    struct wmsg m;
    vigil_status st;

    vigil_engine_set_log(c->engine, forward_log, (void *)(uintptr_t)&c->sock, c->log_level);
    st = vigil_scanner_new(c->engine, &s);
    if (st != VIGIL_OK) {
        memset(&si, 0, sizeof si);
        snprintf(si.why, sizeof si.why, "scanner: %s", vigil_strerror(st));
    } else {
        st = sandbox_enter(&c->sock, 1, c->sandbox_flags, &si);
    }
    st = hello(c->sock, st, &si);
    while (st == VIGIL_OK) {
        st = wproto_recv(c->sock, &m);
        if (st != VIGIL_OK)
            break;
        st = m.type == WMSG_SCAN ? scan_one(c, s, &m) : VIGIL_EMALFORMED;
        wmsg_free(&m);
    }
    vigil_scanner_free(s);
    return st == VIGIL_EREAD ? VIGIL_OK : st;
}
