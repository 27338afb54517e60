/* pe_vinfo.h - the version information of a PE as clamscan 1.4.6 collects
 * it for `VI` signature offsets: the file offsets where the key of each
 * StringFileInfo string (CompanyName, ProductName, ...) of each
 * VS_VERSIONINFO resource begins (libclamav pe.c findres, versioninfo_cb
 * and the vinfo walk of cli_peheader). A signature whose offset is VI
 * matches only where it starts at one of them. */
#ifndef VIGIL_SCAN_PE_VINFO_H
#define VIGIL_SCAN_PE_VINFO_H

#include <stddef.h>
#include <stdint.h>

#include "scan/pe.h"

/* Most version resources walked: clamscan's vinfo_list holds 16. */
#define PE_VINFO_MAX_RES 16
/* Most resource directory entries findres reads for one PE. clamscan has
 * no limit (a crafted directory can make it read billions); no real file
 * comes near this. */
#define PE_VINFO_MAX_ENTRIES (1u << 20)

/* Collects into out[0..max) the offsets, sorted and without duplicates,
 * from the PE buf[0..len) parsed into *pe (pe_parse). Returns how many;
 * offsets past max are dropped. Never reads outside buf. */
size_t pe_vinfo_collect(const uint8_t *buf, size_t len, const struct pe_info *pe,
                        uint32_t *out, size_t max);

#endif
