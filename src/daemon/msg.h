/* msg.h - the typed messages between vigild's parent and its scan workers.
 *
 * OpenBSD imsg style, reduced to what a scan needs: SOCK_SEQPACKET keeps
 * message boundaries, every message is one fixed-size struct whose type and
 * size are checked on receipt, strings carry their length and are checked to
 * be NUL-terminated inside the struct, and a file descriptor travels only
 * with MSG_SCAN. A malformed message from a worker ends that worker.
 */
#ifndef VIGIL_DAEMON_MSG_H
#define VIGIL_DAEMON_MSG_H

#include <stddef.h>
#include <stdint.h>

/* Detection names of one scan, '\n'-separated, at most this many bytes. */
#define MSG_TEXT_MAX 4096

enum msg_type {
    MSG_SCAN = 1,   /* parent -> worker, with the fd to scan */
    MSG_RESULT = 2, /* worker -> parent */
    /* An INSTREAM the worker follows while it is received (instream.c): */
    MSG_STREAM = 3, /* parent -> worker, with the stream's memfd */
    MSG_GROWN = 4,  /* parent -> worker: the memfd holds len bytes now */
    MSG_ENDED = 5,  /* parent -> worker: the stream ended at len bytes; scan */
    MSG_DROPPED = 6, /* parent -> worker: forget the stream */
    MSG_ACK = 7,    /* worker -> parent: GROWN or DROPPED done (a msg_result,
                     * verdict CLEAN, no text) */
    MSG_COLD = 8,   /* parent -> idle worker: a reload is coming, give back
                     * the engine image's pages (no answer) */
};

/* Scan flags (struct msg_scan.flags). */
#define MSG_SCAN_ALLMATCH 1u

struct msg_scan {
    uint32_t type;
    uint32_t flags;
    uint64_t seq; /* echoed in the result, so a late answer cannot be misfiled */
    uint64_t len; /* MSG_GROWN, MSG_ENDED: bytes of the stream so far */
};

enum msg_verdict {
    VERDICT_CLEAN = 0,
    VERDICT_FOUND = 1,
    VERDICT_ERROR = 2,
};

struct msg_result {
    uint32_t type;
    uint32_t verdict;
    uint32_t count;   /* names in text (FOUND) */
    uint32_t textlen; /* strlen(text) */
    uint64_t seq;
    char text[MSG_TEXT_MAX]; /* FOUND: names; ERROR: the reason */
};

/* Sends one message of len bytes, with fd attached when fd >= 0.
 * Returns 0 or -1 (errno set). */
int msg_send(int sock, const void *msg, size_t len, int fd);

/*
 * Receives one message into buf (cap bytes). Returns the message's length,
 * 0 at end of file, -1 on error. A received descriptor is stored in *fd
 * (else -1); more than one descriptor, or a truncated message, is an error
 * (extra descriptors are closed).
 */
long msg_recv(int sock, void *buf, size_t cap, int *fd);

/* Checks a worker's result: right size and type, text terminated inside
 * the struct at textlen; an ACK is CLEAN with no text. Returns 0 if valid,
 * -1 if not. */
int msg_result_check(const struct msg_result *r, long len);

#endif
