/* exe_pe.c - the layout of a PE (PE32 and PE32+) for EP and section
 * offsets, as clamscan 1.4.6 computes it (libclamav pe.c cli_peheader
 * without options, and cli_rawaddr): the parse is pe.c's; a PE whose
 * headers pe.c refuses has no layout. The VI offsets are pe_vinfo.c's. Limits: those of pe.c. */
#include "scan/exe_int.h"
#include "scan/pe.h"
#include "scan/pe_vinfo.h"

int exe_pe_read(const struct exe_in *in, struct exe_info *info)
{
    struct pe_info pe;

    if (pe_parse(in->buf, in->len, &pe) != PE_OK)
        return -1;
    for (uint32_t i = 0; i < pe.nsect; i++)
        exe_sect_put(info, i, pe.nsect, pe.sect[i].raw, pe.sect[i].rsz);
    info->layout.ep = pe.ep;
    info->layout.nvinfo = (uint32_t)pe_vinfo_collect(in->buf, in->len, &pe, info->vinfo,
                                                     EXE_MAX_VINFO);
    info->layout.vinfo = info->vinfo;
    pe_free(&pe);
    return 0;
}
