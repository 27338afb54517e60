/* ole2.h - an OLE2 compound file as the walker reads it (ole2.c), shared
 * with the readers of what Office keeps in its streams (oledoc.c). */
#ifndef VIGIL_UNPACK_OLE2_H
#define VIGIL_UNPACK_OLE2_H

#include <stddef.h>
#include <stdint.h>

#include "unpack/format.h"

/* Longest directory entry name: 31 UTF-16 code units. */
#define OLE2_NAME_MAX 32

/* One directory entry, read from the directory stream. */
struct ole2_entry {
    char name[OLE2_NAME_MAX]; /* ASCII, lower case; other characters as '?' */
    uint8_t type;             /* 1 storage, 2 stream, 5 root */
    uint32_t start;
    uint64_t size;
    uint32_t parent; /* index of the storage holding it */
};

/* A stream's place in the lookup by storage and name (sorted). */
struct ole2_key {
    uint32_t parent, idx;
    const char *name;
};

struct ole2 {
    const uint8_t *d;
    size_t len;
    unsigned shift;      /* sector size 1 << shift */
    unsigned mshift;     /* mini sector size 1 << mshift */
    uint32_t cutoff;     /* streams smaller than this live in the mini stream */
    uint32_t *fat, *mfat;
    size_t nfat, nmfat;  /* entries */
    uint8_t *mini;       /* the mini stream (the root entry's stream) */
    size_t minilen;
    struct ole2_entry *ent;
    size_t nent;
    struct ole2_key *keys; /* the streams, by (parent, name) */
    size_t nkeys;
    int damaged;
    int xlm; /* a root workbook declares an Excel 4.0 macro sheet */
};

/* Reads stream e of o into a new buffer of at most max bytes (*out owned
 * by the caller, free() it; NULL with *got 0 for an empty stream). Sets
 * o->damaged when the chain is broken or shorter than the stream's size.
 * Returns VIGIL_OK or VIGIL_ENOMEM. */
vigil_status ole2_stream(struct ole2 *o, const struct ole2_entry *e, size_t max,
                         uint8_t **out, size_t *got);

/* The index of the stream named name (lower case) in storage parent, or
 * SIZE_MAX; a binary search. */
size_t ole2_find(const struct ole2 *o, uint32_t parent, const char *name);

/* What Office keeps in streams (oledoc.c). Each returns 1 when the walk
 * must stop, and sets *st on error. */

/* An Ole10Native stream s[0..n): scans the embedded object it carries. */
int oledoc_ole10(struct unpack *u, const uint8_t *s, size_t n, vigil_status *st);

/* A "PowerPoint Document" stream: scans the OLE objects of its
 * ExOleObjStg records (zlib-compressed or stored). */
int oledoc_ppt(struct unpack *u, const uint8_t *s, size_t n, vigil_status *st);

/* Returns 1 when the stream named name (lower case) says the document is
 * encrypted (Word FIB fEncrypted, Excel FILEPASS, an encrypted OOXML
 * package's EncryptionInfo). */
int oledoc_encrypted(const char *name, const uint8_t *s, size_t n);

/* Returns 1 when a Workbook stream declares an Excel 4.0 macro sheet
 * (a BIFF8 BOUNDSHEET record of type 1). */
int oledoc_xlm(const uint8_t *s, size_t n);

#endif
