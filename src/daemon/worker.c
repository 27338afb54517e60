/* worker.c - the scan worker process (see worker.h).
 *
 * Forked from the parent after the engine is compiled, so the engine's pages
 * are shared copy-on-write with the parent and every other worker. It keeps
 * only its socket to the parent: no listener, no client, no log file.
 */
#include "daemon/worker.h"

#include <signal.h>
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

static void scan_one(vigil_scanner *s, int fd, const struct msg_scan *req,
                     const struct vigil_scan_options *base, struct msg_result *res)
{
    struct vigil_scan_options o = *base;
    const vigil_result *r = NULL;
    vigil_status st;

    memset(res, 0, sizeof(*res));
    res->type = MSG_RESULT;
    res->seq = req->seq;
    if (req->flags & MSG_SCAN_ALLMATCH)
        o.flags |= VIGIL_SCAN_ALLMATCH;
    st = vigil_scan_fd(s, fd, NULL, &o, &r);
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

_Noreturn void worker_main(int sock, const vigil_engine *e,
                           const struct vigil_scan_options *o)
{
    struct msg_result *res = NULL;
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
    for (;;) {
        n = msg_recv(sock, &req, sizeof(req), &fd);
        if (n == 0) {
            code = 0;
            break;
        }
        if (n != (long)sizeof(req) || req.type != MSG_SCAN || fd < 0)
            break; /* a malformed message from the parent: stop */
        scan_one(s, fd, &req, o, res);
        close(fd);
        if (msg_send(sock, res, sizeof(*res), -1) != 0)
            break;
    }
out:
    _exit(code);
}
