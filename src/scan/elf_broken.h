/* elf_broken.h - clamscan's broken-ELF verdict (--alert-broken). */
#ifndef VIGIL_SCAN_ELF_BROKEN_H
#define VIGIL_SCAN_ELF_BROKEN_H

#include <stddef.h>
#include <stdint.h>

/* Returns 1 when buf[0..len), an object starting with "\x7fELF", is an ELF
 * file clamscan 1.4.6 reports as Heuristics.Broken.Executable under
 * --alert-broken; 0 for a sound one or one that is not an ELF file. */
int elf_broken(const uint8_t *buf, size_t len);

#endif
