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

/* Sends the verdicts gathered in out, if any. */
static vigil_status flush(int sock, struct wbuf *out)
{
    vigil_status st = VIGIL_OK;

    if (out->failed)
        st = VIGIL_ENOMEM;
    else if (out->len)
        st = wproto_send_raw(sock, out->p, out->len);
    out->len = 0;
    return st;
}

/* Scans each file of one WMSG_SCAN batch and answers with all verdicts in
 * one write: a batch costs the parent one wake-up, not one per file. A
 * verdict too large to keep goes out at once, the ones before it first. */
static vigil_status scan_batch(const struct worker_config *c, vigil_scanner *s,
                               struct wmsg *m, struct wbuf *out)
{
    struct wscan_item items[WPROTO_MAX_BATCH];
    const vigil_result *res;
    struct wbuf b = {0};
    char *name;
    unsigned k;
    vigil_status st = wscan_decode(m, items);

    for (k = 0; st == VIGIL_OK && k < m->nfd; k++) {
        if (!(name = strndup(items[k].name, items[k].namelen)))
            return VIGIL_ENOMEM;
        if (c->before_scan)
            c->before_scan(c->ctx, c->sock, m->fd[k]);
        res = NULL;
        st = vigil_scan_fd(s, m->fd[k], name, c->scan, &res);
        free(name);
        /* Closed now: a batch holds no descriptor longer than its scan. */
        close(m->fd[k]);
        m->fd[k] = -1;
        b.len = 0;
        wverdict_encode(&b, items[k].id, st, st == VIGIL_OK ? res : NULL, c->extra);
        st = b.failed ? VIGIL_ENOMEM : VIGIL_OK;
        if (st == VIGIL_OK && out->len + WPROTO_HDR + b.len > out->max / 2)
            st = flush(c->sock, out);
        if (st == VIGIL_OK)
            wproto_frame(out, WMSG_VERDICT, b.p, b.len);
    }
    wbuf_free(&b);
    return st == VIGIL_OK ? flush(c->sock, out) : st;
}

vigil_status worker_serve(const struct worker_config *c)
{
    struct sandbox_info si;
    vigil_scanner *s = NULL;
    struct wbuf out = {.max = WPROTO_MAX_PAYLOAD + WPROTO_HDR};
    struct wconn conn;
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
    wconn_init(&conn, c->sock, 1);
    while (st == VIGIL_OK) {
        st = wconn_recv(&conn, &m);
        if (st != VIGIL_OK)
            break;
        st = m.type == WMSG_SCAN ? scan_batch(c, s, &m, &out) : VIGIL_EMALFORMED;
        wmsg_free(&m);
    }
    /* The socket is the caller's: only the buffer and queued descriptors go. */
    conn.sock = -1;
    wconn_close(&conn);
    wbuf_free(&out);
    vigil_scanner_free(s);
    return st == VIGIL_EREAD ? VIGIL_OK : st;
}
