/* wproto.h - the messages between a parent and its sandboxed scan workers.
 *
 * OpenBSD imsg in spirit: each message is a typed frame, a header {type,
 * length, descriptors} and a payload, sent whole on a stream socket, with
 * its descriptors attached (SCM_RIGHTS). A receiver checks the type, the
 * length against that type's bounds, the number of descriptors and every
 * field of the payload; anything wrong is VIGIL_EMALFORMED, and a parent
 * ends a worker that sends one. A verdict is a list of tagged fields (tag,
 * length, value): a new detection field is one tag, one encode line, one
 * decode case.
 *
 * Batches, for the cost of the sandbox on many small files: one WMSG_SCAN
 * carries up to WPROTO_MAX_BATCH files and their descriptors, and a worker
 * answers a batch with all its verdicts in one write. A struct wconn reads
 * a socket through a buffer, so the frames that arrived together cost one
 * read.
 */
#ifndef VIGIL_OS_LINUX_WPROTO_H
#define VIGIL_OS_LINUX_WPROTO_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

enum wmsg_type {
    WMSG_HELLO = 1, /* worker -> parent: sandboxed and ready (u32 pid, i32
                       Landlock ABI, u32 seccomp, text) */
    WMSG_FAIL,      /* worker -> parent: could not sandbox itself (text) */
    WMSG_SCAN,      /* parent -> worker: u32 n, then n x {u64 id, u32 name
                       length, display name}; n fds, in that order */
    WMSG_VERDICT,   /* worker -> parent: tagged fields, see wverdict */
    WMSG_LOG,       /* worker -> parent: u32 level, text */
    WMSG_SPAWN,     /* parent -> spawner: one fd, the new worker's socket */
    WMSG_PID,       /* spawner -> parent: u32 pid of the new worker */
    WMSG_TYPE_END
};

/* The largest payload of any message (a verdict with many detections). */
#define WPROTO_MAX_PAYLOAD (4u * 1024 * 1024)
/* Detections carried per verdict; more are counted in ndet_total only. */
#define WPROTO_MAX_DETECTIONS 1024u
/* The longest name, layer path or log text in a message. */
#define WPROTO_MAX_TEXT (64u * 1024)
/* The longest extra text of a detection (a YARA match as JSON). */
#define WPROTO_MAX_EXTRA (256u * 1024)
/* Files (and descriptors) in one WMSG_SCAN; SCM_RIGHTS carries up to 253. */
#define WPROTO_MAX_BATCH 16u
/* The bytes of a frame header: u32 type, u32 length, u32 descriptors. */
#define WPROTO_HDR 12u

/* A received message. buf (len bytes, owned) and fd[0..nfd) (owned) belong
 * to the caller: wmsg_free(). */
struct wmsg {
    uint32_t type;
    uint32_t len;
    unsigned char *buf;
    unsigned nfd;
    int fd[WPROTO_MAX_BATCH];
};

/* A growable byte buffer with a hard maximum: max, or WPROTO_MAX_PAYLOAD
 * when max is 0. */
struct wbuf {
    unsigned char *p;
    size_t len, cap, max;
    int failed; /* a write past the maximum or out of memory happened */
};

void wbuf_free(struct wbuf *b);
void wbuf_u32(struct wbuf *b, uint32_t v);
void wbuf_u64(struct wbuf *b, uint64_t v);
void wbuf_bytes(struct wbuf *b, const void *p, size_t n);

/* Sends one message; fd (or -1) travels with it and stays the caller's.
 * Returns VIGIL_OK, or VIGIL_EREAD when the peer is gone. Never raises
 * SIGPIPE. */
vigil_status wproto_send(int sock, uint32_t type, const void *payload, size_t len,
                         int fd);

/* The same with nfd descriptors (at most WPROTO_MAX_BATCH), the caller's. */
vigil_status wproto_send_fds(int sock, uint32_t type, const void *payload, size_t len,
                             const int *fds, unsigned nfd);

/* Appends a whole frame without descriptors to b (several frames then go
 * in one wproto_send_raw); b's max must leave room for the header. */
void wproto_frame(struct wbuf *b, uint32_t type, const void *payload, size_t len);

/* Sends len bytes of whole frames (no descriptors). VIGIL_OK or VIGIL_EREAD. */
vigil_status wproto_send_raw(int sock, const void *p, size_t len);

/* Receives one message into *m and checks its type, length and descriptor.
 * Returns VIGIL_OK; VIGIL_EREAD on end of stream or a read error;
 * VIGIL_EMALFORMED on a bad frame (the stream is then unusable). Reads no
 * byte past the message: for sockets that are not read through a wconn. */
vigil_status wproto_recv(int sock, struct wmsg *m);

void wmsg_free(struct wmsg *m);

/* Checks the frame header at p (at least WPROTO_HDR bytes): returns
 * VIGIL_OK with its type, payload length and descriptor count, or
 * VIGIL_EMALFORMED. Exposed for the fuzz target. */
vigil_status wproto_check_header(const unsigned char *p, uint32_t *type, uint32_t *len,
                                 uint32_t *nfd);

/* A socket read through a buffer: one read takes every frame that has
 * arrived, and descriptors queue in arrival order (the kernel delivers a
 * frame's descriptors with its first bytes, so a frame's descriptors are
 * queued by the time its header is). */
struct wconn {
    int sock;
    unsigned char *buf;
    size_t off, len, cap; /* unread bytes are buf[off, off + len) */
    unsigned nfd, fdcap;
    int fd[2 * WPROTO_MAX_BATCH];
};

/* Starts reading sock, which wconn_close closes. fds: whether the peer may
 * send descriptors at all (a worker's parent does; a parent takes none
 * from its worker, and any that comes is VIGIL_EMALFORMED). */
void wconn_init(struct wconn *c, int sock, int fds);

/* True when a whole frame is buffered, so wconn_recv will not block. */
int wconn_ready(const struct wconn *c);

/* Receives one message, as wproto_recv. */
vigil_status wconn_recv(struct wconn *c, struct wmsg *m);

/* Frees the buffer, closes queued descriptors and the socket. */
void wconn_close(struct wconn *c);

/* A WMSG_SCAN batch: encode appends one file to b (the caller puts the
 * count first, see wscan_begin); decode checks the payload of m against its
 * descriptors and fills ids[] and names[] (pointers into m->buf, not
 * NUL-terminated, lengths in lens[]). Returns VIGIL_OK or
 * VIGIL_EMALFORMED. */
void wscan_begin(struct wbuf *b, uint32_t n);
void wscan_add(struct wbuf *b, uint64_t id, const char *name);
struct wscan_item {
    uint64_t id;
    const char *name;
    uint32_t namelen;
};
vigil_status wscan_decode(const struct wmsg *m, struct wscan_item *items);

/* Payload readers over a received message, bounds-checked: each returns 0,
 * or -1 when the payload is too short (nothing is then read). */
struct wreader {
    const unsigned char *p;
    size_t left;
};
int wread_u32(struct wreader *r, uint32_t *v);
int wread_u64(struct wreader *r, uint64_t *v);
/* A text of the rest of the payload or of n bytes: no NUL inside, at most
 * WPROTO_MAX_TEXT; copied into a new NUL-terminated string (*out, owned). */
int wread_text(struct wreader *r, size_t n, char **out);

/* One detection of a verdict, every field of struct vigil_detection. */
struct wverdict_det {
    char *name;
    char *layer_path;
    uint32_t depth;
    char *extra; /* the encoder's extra text, or NULL */
};

/* A decoded verdict. det and its strings are one allocation: wverdict_free. */
struct wverdict {
    uint64_t id;
    vigil_status status;
    unsigned limits;
    uint64_t bytes_read, size;
    uint64_t ndet_total; /* ndet plus the ones not carried */
    unsigned notes;      /* VIGIL_NOTE_* */
    size_t ndet;
    struct wverdict_det *det;
};

/* Extra text about detection k of r for the parent (the front end's data
 * that is not in struct vigil_detection, e.g. a YARA match as JSON): a new
 * string the encoder frees, or NULL for none. */
typedef char *(*wverdict_extra_fn)(const vigil_result *r, size_t k);

/* Encodes the verdict of scan id into b: status and, when status is
 * VIGIL_OK, everything in r (which may be NULL otherwise), with extra's text
 * for each detection (extra may be NULL). */
void wverdict_encode(struct wbuf *b, uint64_t id, vigil_status status,
                     const vigil_result *r, wverdict_extra_fn extra);

/* Decodes a WMSG_VERDICT payload into *v. Returns VIGIL_OK, VIGIL_ENOMEM,
 * or VIGIL_EMALFORMED for any field that is unknown, repeated, of the wrong
 * size or out of range. */
vigil_status wverdict_decode(const unsigned char *p, size_t len, struct wverdict *v);

void wverdict_free(struct wverdict *v);

#endif
