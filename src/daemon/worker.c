/* worker.c - the scan worker process (see worker.h).
 *
 * Forked from the parent after the engine is compiled, so the engine's pages
 * are shared copy-on-write with the parent and every other worker. It keeps
 * only its socket to the parent: no listener, no client, no log file.
 *
 * It scans a descriptor it is handed (MSG_SCAN), or follows an INSTREAM
 * while the parent receives it (MSG_STREAM, GROWN, ENDED or DROPPED): as the
 * stream grows it computes the digests hash signatures may need, the ones
 * whose signatures name a size no smaller than what has arrived, so that
 * at the end the scan does not read the stream again for them.
 */
#include "daemon/worker.h"

#include <openssl/evp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/confine.h"
#include "daemon/msg.h"

/* Detection names joined by '\n', as many as fit in MSG_TEXT_MAX. */
static void result_names(struct msg_result *res, const vigil_result *r)
{
    const struct vigil_detection *d;
    size_t k, n = vigil_result_count(r), len = 0, nl;

    for (k = 0; k < n; k++) {
        d = vigil_result_detection(r, k);
        nl = strlen(d->name);
        if (len + nl + 2 > MSG_TEXT_MAX)
            break;
        if (len)
            res->text[len++] = '\n';
        memcpy(res->text + len, d->name, nl);
        /* The parent refuses control bytes in a reply; a name from a
         * database could have them. */
        for (size_t i = len; i < len + nl; i++)
            if ((unsigned char)res->text[i] < 0x20)
                res->text[i] = '?';
        len += nl;
        res->count++;
    }
    res->text[len] = '\0';
    res->textlen = (uint32_t)len;
}

/* A stream being followed. */
#define LIVE_BUF (256 * 1024)
struct live {
    int fd;          /* the stream's memfd, -1 when none */
    uint64_t seq;
    uint64_t done;   /* bytes digested (or skipped: no digest wanted) */
    uint64_t max[3]; /* vigil_engine_digest_limits */
    EVP_MD_CTX *ctx[3];
    bool broken;     /* a read failed: the scan computes its digests */
    unsigned char *buf;
};

static const EVP_MD *live_md(int k)
{
    return k == 0 ? EVP_md5() : k == 1 ? EVP_sha1() : EVP_sha256();
}

static void live_reset(struct live *l)
{
    for (int k = 0; k < 3; k++) {
        EVP_MD_CTX_free(l->ctx[k]);
        l->ctx[k] = NULL;
    }
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
    l->done = 0;
    l->broken = false;
}

static void live_start(struct live *l, int fd, uint64_t seq)
{
    live_reset(l);
    l->fd = fd;
    l->seq = seq;
    l->broken = !l->buf; /* no buffer: the scan computes its digests */
    for (int k = 0; k < 3; k++) {
        if (!l->max[k])
            continue;
        if (!(l->ctx[k] = EVP_MD_CTX_new()) ||
            !EVP_DigestInit_ex(l->ctx[k], live_md(k), NULL))
            l->broken = true;
    }
}

/* Digests the stream up to upto bytes. A digest whose signatures all name
 * sizes below what has arrived can no longer be needed: it stops. */
static void live_advance(struct live *l, uint64_t upto)
{
    size_t want;
    ssize_t n;
    bool any;

    while (!l->broken && l->done < upto) {
        any = false;
        for (int k = 0; k < 3; k++) {
            if (l->ctx[k] && l->max[k] < upto) {
                EVP_MD_CTX_free(l->ctx[k]);
                l->ctx[k] = NULL;
            }
            any |= l->ctx[k] != NULL;
        }
        if (!any) {
            l->done = upto;
            break;
        }
        want = upto - l->done < LIVE_BUF ? (size_t)(upto - l->done) : LIVE_BUF;
        n = pread(l->fd, l->buf, want, (off_t)l->done);
        if (n <= 0) {
            l->broken = true;
            break;
        }
        for (int k = 0; k < 3; k++)
            if (l->ctx[k] && !EVP_DigestUpdate(l->ctx[k], l->buf, (size_t)n))
                l->broken = true;
        l->done += (uint64_t)n;
    }
}

/* The digests of the whole stream of size bytes, or NULL if they could not
 * be computed (the scan then computes what it needs itself). */
static const struct vigil_digests *live_finish(struct live *l, uint64_t size,
                                               struct vigil_digests *dg)
{
    static const unsigned bit[3] = {VIGIL_DIGEST_MD5, VIGIL_DIGEST_SHA1, VIGIL_DIGEST_SHA256};
    uint8_t *out[3] = {dg->md5, dg->sha1, dg->sha256};
    unsigned len;

    live_advance(l, size);
    memset(dg, 0, sizeof(*dg));
    dg->size = size;
    if (l->broken || l->done != size)
        return NULL;
    for (int k = 0; k < 3; k++)
        if (l->ctx[k] && EVP_DigestFinal_ex(l->ctx[k], out[k], &len))
            dg->kinds |= bit[k];
    return dg;
}

static void scan_one(vigil_scanner *s, int fd, const struct msg_scan *req,
                     const struct vigil_scan_options *base,
                     const struct vigil_digests *dg, struct msg_result *res)
{
    struct vigil_scan_options o = *base;
    const vigil_result *r = NULL;
    vigil_status st;

    memset(res, 0, sizeof(*res));
    res->type = MSG_RESULT;
    res->seq = req->seq;
    if (req->flags & MSG_SCAN_ALLMATCH)
        o.flags |= VIGIL_SCAN_ALLMATCH;
    st = vigil_scan_fd_digests(s, fd, NULL, &o, dg, &r);
    if (st != VIGIL_OK) {
        res->verdict = VERDICT_ERROR;
        snprintf(res->text, sizeof(res->text), "%s", vigil_strerror(st));
        res->textlen = (uint32_t)strlen(res->text);
        return;
    }
    if (vigil_result_count(r) > 0) {
        res->verdict = VERDICT_FOUND;
        result_names(res, r);
    }
}

/* Handles one message of a followed stream. Returns 0, or -1 if the
 * message is out of turn (the parent is confused: stop). */
static int live_msg(struct live *l, vigil_scanner *s, const struct msg_scan *req, int fd,
                    const struct vigil_scan_options *o, struct msg_result *res, int sock)
{
    struct vigil_digests dg;

    if (req->type == MSG_STREAM) {
        if (fd < 0 || l->fd >= 0)
            return -1;
        live_start(l, fd, req->seq);
        return 0;
    }
    if (fd >= 0 || l->fd < 0 || req->seq != l->seq)
        return -1;
    memset(res, 0, sizeof(*res));
    res->type = MSG_ACK;
    res->seq = req->seq;
    switch (req->type) {
    case MSG_GROWN:
        live_advance(l, req->len);
        break;
    case MSG_DROPPED:
        live_reset(l);
        break;
    case MSG_ENDED:
        scan_one(s, l->fd, req, o, live_finish(l, req->len, &dg), res);
        live_reset(l);
        break;
    default:
        return -1;
    }
    return msg_send(sock, res, sizeof(*res), -1);
}

_Noreturn void worker_main(int sock, const vigil_engine *e,
                           const struct vigil_scan_options *o)
{
    struct msg_result *res = NULL;
    struct live live = {.fd = -1};
    vigil_scanner *s = NULL;
    struct msg_scan req;
    int fd, code = 1;
    long n;

    /* The parent's signal handlers mean nothing here; SIGTERM just ends us. */
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_IGN);
    signal(SIGUSR2, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    if (worker_confine(sock) != 0 || !(res = malloc(sizeof(*res))) ||
        vigil_scanner_new(e, &s) != VIGIL_OK)
        goto out;
    vigil_engine_digest_limits(e, live.max);
    live.buf = malloc(LIVE_BUF); /* none: streams are only scanned at the end */
    for (;;) {
        n = msg_recv(sock, &req, sizeof(req), &fd);
        if (n == 0) {
            code = 0;
            break;
        }
        if (n == (long)sizeof(req) && req.type == MSG_COLD && fd < 0) {
            /* Faulted back from the page cache if this worker scans again
             * before it is replaced. */
            vigil_engine_image_drop_resident(e);
            continue;
        }
        if (n == (long)sizeof(req) && req.type >= MSG_STREAM && req.type <= MSG_DROPPED) {
            if (live_msg(&live, s, &req, fd, o, res, sock) != 0) {
                if (fd >= 0)
                    close(fd);
                break;
            }
            continue;
        }
        if (n != (long)sizeof(req) || req.type != MSG_SCAN || fd < 0 || live.fd >= 0)
            break; /* a malformed message from the parent: stop */
        scan_one(s, fd, &req, o, NULL, res);
        close(fd);
        if (msg_send(sock, res, sizeof(*res), -1) != 0)
            break;
    }
out:
    _exit(code);
}
