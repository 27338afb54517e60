/* fuzz_audit.c - fuzz the audit log line parser (core/audit_parse.c) and
 * the chain check over a whole file (core/audit_verify.c): each input is
 * parsed as one line, then written out and verified as a log. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    struct audit_verdict v;
    struct audit_entry e;
    char *copy = malloc(size + 1);
    FILE *f;

    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    /* The parser must never read past len: give it an exact-size copy. */
    if (audit_parse_line(copy, size, &e) == 0) {
        if (e.seq == 0 || !e.prev || !e.action || !e.action_len)
            abort();
        if (e.prev < copy || e.prev + AUDIT_HASH_HEX > copy + size)
            abort();
    }
    if (!*path)
        snprintf(path, sizeof path, "/tmp/fuzz_audit.%d", (int)getpid());
    f = fopen(path, "w");
    if (f) {
        fwrite(data, 1, size, f);
        fclose(f);
        if (audit_verify(path, &v) == VIGIL_OK && !v.bad_line && v.entries == 0 &&
            v.recovered == 0 && size && memchr(data, '\n', size))
            abort(); /* a non-empty log with no entry cannot be intact */
        unlink(path);
    }
    free(copy);
    return 0;
}
