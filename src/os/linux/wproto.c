/* wproto.c - typed, length-checked messages with descriptor passing between
 * a parent and its scan workers (see wproto.h).
 *
 * Frames are {u32 type, u32 length, u32 descriptors, payload} in host byte
 * order: both ends are the same binary on the same machine. Limits:
 * WPROTO_MAX_PAYLOAD per frame, per-type bounds below, descriptors only for
 * the types that carry them (WPROTO_MAX_BATCH at most), 2 x WPROTO_MAX_BATCH
 * queued in a wconn, WPROTO_MAX_DETECTIONS and WPROTO_MAX_TEXT in a
 * verdict.
 */
#include "os/linux/wproto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Per type: payload bounds and how many descriptors may come with it. */
static const struct {
    uint32_t min, max;
    unsigned fdmin, fdmax;
} bounds[WMSG_TYPE_END] = {
    [WMSG_HELLO] = {12, 12 + WPROTO_MAX_TEXT, 0, 0},
    [WMSG_FAIL] = {0, WPROTO_MAX_TEXT, 0, 0},
    [WMSG_SCAN] = {16, WPROTO_MAX_PAYLOAD, 1, WPROTO_MAX_BATCH},
    [WMSG_VERDICT] = {0, WPROTO_MAX_PAYLOAD, 0, 0},
    [WMSG_LOG] = {4, 4 + WPROTO_MAX_TEXT, 0, 0},
    [WMSG_SPAWN] = {0, 0, 1, 1},
    [WMSG_PID] = {4, 4, 0, 0},
};

void wbuf_free(struct wbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

void wbuf_bytes(struct wbuf *b, const void *p, size_t n)
{
    size_t cap;
    unsigned char *q;

    if (b->failed)
        return;
    if (n > (b->max ? b->max : WPROTO_MAX_PAYLOAD) - b->len) {
        b->failed = 1;
        return;
    }
    if (b->len + n > b->cap) {
        cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n)
            cap *= 2;
        q = realloc(b->p, cap);
        if (!q) {
            b->failed = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

void wbuf_u32(struct wbuf *b, uint32_t v)
{
    wbuf_bytes(b, &v, sizeof v);
}

void wbuf_u64(struct wbuf *b, uint64_t v)
{
    wbuf_bytes(b, &v, sizeof v);
}

vigil_status wproto_send(int sock, uint32_t type, const void *payload, size_t len,
                         int fd)
{
    return wproto_send_fds(sock, type, payload, len, &fd, fd >= 0 ? 1 : 0);
}

/* Sends the iovecs whole; the descriptors in m's control data go with the
 * first bytes. */
static vigil_status send_all(int sock, struct msghdr *m)
{
    ssize_t n;

    while (m->msg_iovlen) {
        n = sendmsg(sock, m, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return VIGIL_EREAD;
        /* A short send: the rest goes without the descriptors. */
        m->msg_control = NULL;
        m->msg_controllen = 0;
        while (m->msg_iovlen && (size_t)n >= m->msg_iov->iov_len) {
            n -= (ssize_t)m->msg_iov->iov_len;
            m->msg_iov++;
            m->msg_iovlen--;
        }
        if (m->msg_iovlen) {
            m->msg_iov->iov_base = (char *)m->msg_iov->iov_base + n;
            m->msg_iov->iov_len -= (size_t)n;
        }
    }
    return VIGIL_OK;
}

vigil_status wproto_send_fds(int sock, uint32_t type, const void *payload, size_t len,
                             const int *fds, unsigned nfd)
{
    uint32_t hdr[3] = {type, (uint32_t)len, nfd};
    struct iovec iov[2] = {{hdr, sizeof hdr}, {(void *)(uintptr_t)payload, len}};
    union {
        struct cmsghdr h;
        char b[CMSG_SPACE(WPROTO_MAX_BATCH * sizeof(int))];
    } c;
    struct msghdr m = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};

    if (len > WPROTO_MAX_PAYLOAD || nfd > WPROTO_MAX_BATCH)
        return VIGIL_EINVAL;
    if (nfd) {
        memset(&c, 0, sizeof c);
        m.msg_control = c.b;
        m.msg_controllen = CMSG_SPACE(nfd * sizeof(int));
        CMSG_FIRSTHDR(&m)->cmsg_level = SOL_SOCKET;
        CMSG_FIRSTHDR(&m)->cmsg_type = SCM_RIGHTS;
        CMSG_FIRSTHDR(&m)->cmsg_len = CMSG_LEN(nfd * sizeof(int));
        memcpy(CMSG_DATA(CMSG_FIRSTHDR(&m)), fds, nfd * sizeof(int));
    }
    return send_all(sock, &m);
}

void wproto_frame(struct wbuf *b, uint32_t type, const void *payload, size_t len)
{
    uint32_t hdr[3] = {type, (uint32_t)len, 0};

    if (len > WPROTO_MAX_PAYLOAD) {
        b->failed = 1;
        return;
    }
    wbuf_bytes(b, hdr, sizeof hdr);
    wbuf_bytes(b, payload, len);
}

vigil_status wproto_send_raw(int sock, const void *p, size_t len)
{
    struct iovec iov = {(void *)(uintptr_t)p, len};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = len ? 1 : 0};

    return send_all(sock, &m);
}

/* Moves the descriptors of one received message's control data into
 * fds[*nfd, cap); the ones past cap are closed and counted in *extra. */
static void take_fds(struct msghdr *m, int *fds, unsigned *nfd, unsigned cap, int *extra)
{
    struct cmsghdr *h;
    size_t k, n;
    int f;

    if (m->msg_flags & MSG_CTRUNC)
        (*extra)++;
    for (h = CMSG_FIRSTHDR(m); h; h = CMSG_NXTHDR(m, h)) {
        if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
            continue;
        n = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (k = 0; k < n; k++) {
            memcpy(&f, CMSG_DATA(h) + k * sizeof(int), sizeof f);
            if (*nfd < cap) {
                fds[(*nfd)++] = f;
            } else {
                close(f);
                (*extra)++;
            }
        }
    }
}

/* One recvmsg of at most len bytes into buf, descriptors as take_fds.
 * Returns the bytes read, 0 at end of stream, -1 on an error. */
static ssize_t recv_some(int sock, void *buf, size_t len, int *fds, unsigned *nfd,
                         unsigned cap, int *extra)
{
    union {
        struct cmsghdr h;
        char b[CMSG_SPACE(WPROTO_MAX_BATCH * sizeof(int))];
    } c;
    struct iovec iov = {buf, len};
    struct msghdr m;
    ssize_t n;

    do {
        memset(&m, 0, sizeof m);
        m.msg_iov = &iov;
        m.msg_iovlen = 1;
        m.msg_control = c.b;
        m.msg_controllen = sizeof c.b;
        n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n > 0)
        take_fds(&m, fds, nfd, cap, extra);
    return n;
}

/* Reads exactly len bytes; descriptors as take_fds. */
static vigil_status recv_exact(int sock, void *buf, size_t len, int *fds, unsigned *nfd,
                               int *extra)
{
    size_t got = 0;
    ssize_t n;

    while (got < len) {
        n = recv_some(sock, (char *)buf + got, len - got, fds, nfd, WPROTO_MAX_BATCH, extra);
        if (n <= 0)
            return VIGIL_EREAD;
        got += (size_t)n;
    }
    return VIGIL_OK;
}

vigil_status wproto_check_header(const unsigned char *p, uint32_t *type, uint32_t *len,
                                 uint32_t *nfd)
{
    memcpy(type, p, 4);
    memcpy(len, p + 4, 4);
    memcpy(nfd, p + 8, 4);
    if (*type == 0 || *type >= WMSG_TYPE_END)
        return VIGIL_EMALFORMED;
    if (*len < bounds[*type].min || *len > bounds[*type].max)
        return VIGIL_EMALFORMED;
    if (*nfd < bounds[*type].fdmin || *nfd > bounds[*type].fdmax)
        return VIGIL_EMALFORMED;
    return VIGIL_OK;
}

vigil_status wproto_recv(int sock, struct wmsg *m)
{
    unsigned char hdr[WPROTO_HDR];
    uint32_t want = 0;
    int extra = 0;
    vigil_status st;

    memset(m, 0, sizeof *m);
    st = recv_exact(sock, hdr, sizeof hdr, m->fd, &m->nfd, &extra);
    if (st == VIGIL_OK)
        st = wproto_check_header(hdr, &m->type, &m->len, &want);
    if (st == VIGIL_OK && (extra || m->nfd != want))
        st = VIGIL_EMALFORMED;
    if (st != VIGIL_OK)
        goto out;
    m->buf = malloc(m->len ? m->len : 1);
    if (!m->buf) {
        st = VIGIL_ENOMEM;
        goto out;
    }
    st = recv_exact(sock, m->buf, m->len, m->fd, &m->nfd, &extra);
    /* Descriptors may only come with the header. */
    if (st == VIGIL_OK && (extra || m->nfd != want))
        st = VIGIL_EMALFORMED;
out:
    if (st != VIGIL_OK)
        wmsg_free(m);
    return st;
}

void wmsg_free(struct wmsg *m)
{
    unsigned k;

    free(m->buf);
    for (k = 0; k < m->nfd; k++)
        if (m->fd[k] >= 0)
            close(m->fd[k]);
    m->buf = NULL;
    m->nfd = 0;
}

/* ---- buffered reading ---------------------------------------------------- */

/* The first read's buffer; it grows to hold the largest frame seen. */
#define WCONN_BUF 65536u

void wconn_init(struct wconn *c, int sock, int fds)
{
    memset(c, 0, sizeof *c);
    c->sock = sock;
    c->fdcap = fds ? 2 * WPROTO_MAX_BATCH : 0;
}

/* The payload length of the buffered frame, or -1 while no whole header is
 * buffered. The header is checked by wconn_recv. */
static int64_t buffered_len(const struct wconn *c)
{
    uint32_t len;

    if (c->len < WPROTO_HDR)
        return -1;
    memcpy(&len, c->buf + c->off + 4, 4);
    return len;
}

int wconn_ready(const struct wconn *c)
{
    int64_t len = buffered_len(c);

    return len >= 0 && c->len - WPROTO_HDR >= (uint64_t)len;
}

/* Makes room for need bytes of unread data at the start of the buffer. */
static vigil_status make_room(struct wconn *c, size_t need)
{
    size_t cap = c->cap ? c->cap : WCONN_BUF;
    unsigned char *p;

    if (c->off && c->len)
        memmove(c->buf, c->buf + c->off, c->len);
    c->off = 0;
    while (cap < need)
        cap *= 2;
    if (cap != c->cap || !c->buf) {
        p = realloc(c->buf, cap);
        if (!p)
            return VIGIL_ENOMEM;
        c->buf = p;
        c->cap = cap;
    }
    return VIGIL_OK;
}

/* Reads until a whole frame with a valid header is buffered. */
static vigil_status fill(struct wconn *c, uint32_t *type, uint32_t *len, uint32_t *nfd)
{
    int extra = 0;
    vigil_status st;
    ssize_t n;

    for (;;) {
        if (c->len >= WPROTO_HDR) {
            st = wproto_check_header(c->buf + c->off, type, len, nfd);
            if (st != VIGIL_OK)
                return st;
            if (c->len - WPROTO_HDR >= *len)
                return VIGIL_OK;
        }
        if (c->off + c->len == c->cap || !c->buf) {
            st = make_room(c, c->len >= WPROTO_HDR ? WPROTO_HDR + (size_t)*len : WPROTO_HDR);
            if (st != VIGIL_OK)
                return st;
        }
        n = recv_some(c->sock, c->buf + c->off + c->len, c->cap - c->off - c->len, c->fd,
                      &c->nfd, c->fdcap, &extra);
        if (n <= 0)
            return VIGIL_EREAD;
        if (extra)
            return VIGIL_EMALFORMED;
        c->len += (size_t)n;
    }
}

vigil_status wconn_recv(struct wconn *c, struct wmsg *m)
{
    uint32_t want = 0;
    vigil_status st;

    memset(m, 0, sizeof *m);
    st = fill(c, &m->type, &m->len, &want);
    if (st == VIGIL_OK && want > c->nfd)
        st = VIGIL_EMALFORMED; /* its descriptors must have come by now */
    if (st == VIGIL_OK && !(m->buf = malloc(m->len ? m->len : 1)))
        st = VIGIL_ENOMEM;
    if (st != VIGIL_OK)
        return st;
    memcpy(m->buf, c->buf + c->off + WPROTO_HDR, m->len);
    c->off += WPROTO_HDR + m->len;
    c->len -= WPROTO_HDR + m->len;
    m->nfd = want;
    memcpy(m->fd, c->fd, want * sizeof(int));
    c->nfd -= want;
    memmove(c->fd, c->fd + want, c->nfd * sizeof(int));
    return VIGIL_OK;
}

void wconn_close(struct wconn *c)
{
    unsigned k;

    for (k = 0; k < c->nfd; k++)
        close(c->fd[k]);
    if (c->sock >= 0)
        close(c->sock);
    free(c->buf);
    memset(c, 0, sizeof *c);
    c->sock = -1;
}

/* ---- scan batches -------------------------------------------------------- */

void wscan_begin(struct wbuf *b, uint32_t n)
{
    wbuf_u32(b, n);
}

void wscan_add(struct wbuf *b, uint64_t id, const char *name)
{
    uint32_t n = (uint32_t)strnlen(name, WPROTO_MAX_TEXT);

    wbuf_u64(b, id);
    wbuf_u32(b, n);
    wbuf_bytes(b, name, n);
}

vigil_status wscan_decode(const struct wmsg *m, struct wscan_item *items)
{
    struct wreader r = {m->buf, m->len};
    uint32_t n, k;

    if (m->type != WMSG_SCAN || wread_u32(&r, &n) || n != m->nfd || n == 0 ||
        n > WPROTO_MAX_BATCH)
        return VIGIL_EMALFORMED;
    for (k = 0; k < n; k++) {
        if (wread_u64(&r, &items[k].id) || wread_u32(&r, &items[k].namelen) ||
            items[k].namelen > r.left || items[k].namelen > WPROTO_MAX_TEXT ||
            memchr(r.p, 0, items[k].namelen))
            return VIGIL_EMALFORMED;
        items[k].name = (const char *)r.p;
        r.p += items[k].namelen;
        r.left -= items[k].namelen;
    }
    return r.left ? VIGIL_EMALFORMED : VIGIL_OK;
}

int wread_u32(struct wreader *r, uint32_t *v)
{
    if (r->left < sizeof *v)
        return -1;
    memcpy(v, r->p, sizeof *v);
    r->p += sizeof *v;
    r->left -= sizeof *v;
    return 0;
}

int wread_u64(struct wreader *r, uint64_t *v)
{
    if (r->left < sizeof *v)
        return -1;
    memcpy(v, r->p, sizeof *v);
    r->p += sizeof *v;
    r->left -= sizeof *v;
    return 0;
}

int wread_text(struct wreader *r, size_t n, char **out)
{
    *out = NULL;
    if (n > r->left || n > WPROTO_MAX_TEXT || memchr(r->p, 0, n))
        return -1;
    *out = malloc(n + 1);
    if (!*out)
        return -1;
    memcpy(*out, r->p, n);
    (*out)[n] = '\0';
    r->p += n;
    r->left -= n;
    return 0;
}
