/* wproto.h - the messages between a parent and its sandboxed scan workers.
 *
 * OpenBSD imsg in spirit: each message is a typed frame, a header {type,
 * length} and a payload, sent whole on a stream socket, with at most one
 * descriptor attached (SCM_RIGHTS). A receiver checks the type, the length
 * against that type's bounds, the presence of a descriptor and every field
 * of the payload; anything wrong is VIGIL_EMALFORMED, and a parent ends a
 * worker that sends one. A verdict is a list of tagged fields (tag, length,
 * value): a new detection field is one tag, one encode line, one decode case.
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
    WMSG_SCAN,      /* parent -> worker: u64 id, display name; one fd */
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

/* A received message. buf (len bytes, owned) and fd (-1 if none, owned)
 * belong to the caller: wmsg_free(). */
struct wmsg {
    uint32_t type;
    uint32_t len;
    unsigned char *buf;
    int fd;
};

/* A growable byte buffer with a hard maximum (WPROTO_MAX_PAYLOAD). */
struct wbuf {
    unsigned char *p;
    size_t len, cap;
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

/* Receives one message into *m and checks its type, length and descriptor.
 * Returns VIGIL_OK; VIGIL_EREAD on end of stream or a read error;
 * VIGIL_EMALFORMED on a bad frame (the stream is then unusable). */
vigil_status wproto_recv(int sock, struct wmsg *m);

void wmsg_free(struct wmsg *m);

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
