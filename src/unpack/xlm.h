/* xlm.h - the text clamscan makes of an Excel workbook that holds an
 * Excel 4.0 (XLM) macro sheet: a disassembly of the Workbook stream's BIFF
 * records (xlm.c), with the names of xlmnames.c. */
#ifndef VIGIL_UNPACK_XLM_H
#define VIGIL_UNPACK_XLM_H

#include <stddef.h>
#include <stdint.h>

#include "unpack/outbuf.h"

struct xlm_name {
    uint16_t id;
    const char *name;
};

/* Record type and function names, sorted by id (xlmnames.c). */
extern const struct xlm_name xlm_records[];
extern const size_t xlm_nrecords;
extern const struct xlm_name xlm_functions[];
extern const size_t xlm_nfunctions;

/* The longest BIFF8 record clamscan reads (a CONTINUE's limit). */
#define XLM_MAX_RECORD 8228

/*
 * Disassembles the Workbook stream s[0..n) into out (at most out->max
 * bytes) as clamscan 1.4 does, and leaves in out only what clamscan then
 * scans: its fixed header line and the whole 4096-byte blocks of the
 * disassembly that its stdio buffer has written to the file when it scans
 * it (the rest is written after the scan). Returns VIGIL_OK or
 * VIGIL_ENOMEM; *scan is 0 when clamscan scans nothing (a record longer
 * than XLM_MAX_RECORD or cut by the end of the stream), and *full is set
 * when out reached its maximum.
 */
vigil_status xlm_text(const uint8_t *s, size_t n, struct outbuf *out, int *scan, int *full);

#endif
