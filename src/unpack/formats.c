/* formats.c - the table of container formats, built from formats.def, and
 * the lookup of an object's format by its first bytes. */
#include "unpack/format.h"

#include <string.h>

#define X(fmt) extern const struct vigil_format format_##fmt;
#include "unpack/formats.def"
#undef X

static const struct vigil_format *const formats[] = {
#define X(fmt) &format_##fmt,
#include "unpack/formats.def"
#undef X
};

/* ClamAV's type names of the containers vigil walks (for .ftm entries). */
static const struct {
    const char *cltype;
    const struct vigil_format *fmt;
} by_cltype[] = {
    {"CL_TYPE_ZIP", &format_archive},     {"CL_TYPE_ZIPSFX", &format_archive},
    {"CL_TYPE_7Z", &format_archive},      {"CL_TYPE_7ZSFX", &format_archive},
    {"CL_TYPE_RAR", &format_archive},     {"CL_TYPE_RARSFX", &format_archive},
    {"CL_TYPE_POSIX_TAR", &format_archive}, {"CL_TYPE_OLD_TAR", &format_archive},
    {"CL_TYPE_CPIO_OLD", &format_archive}, {"CL_TYPE_CPIO_ODC", &format_archive},
    {"CL_TYPE_CPIO_NEWC", &format_archive}, {"CL_TYPE_CPIO_CRC", &format_archive},
    {"CL_TYPE_ISO9660", &format_archive}, {"CL_TYPE_LHA_LZH", &format_archive},
    {"CL_TYPE_XAR", &format_archive},     {"CL_TYPE_GZ", &format_gzip},
    {"CL_TYPE_BZ", &format_bzip2},        {"CL_TYPE_XZ", &format_xz},
    {"CL_TYPE_MSCAB", &format_mscab},     {"CL_TYPE_CABSFX", &format_mscab},
    {"CL_TYPE_MSCHM", &format_mschm},     {"CL_TYPE_MSSZDD", &format_szdd},
    {"CL_TYPE_SIS", &format_sis},         {"CL_TYPE_ARJ", &format_arj},
    {"CL_TYPE_MAIL", &format_mail},       {"CL_TYPE_MHTML", &format_mhtml},
    {"CL_TYPE_TNEF", &format_tnef},       {"CL_TYPE_BINHEX", &format_binhex},
    {"CL_TYPE_UUENCODED", &format_uuencode},
    {"CL_TYPE_OOXML_WORD", &format_archive}, {"CL_TYPE_OOXML_XL", &format_archive},
    {"CL_TYPE_OOXML_PPT", &format_archive},
    {"CL_TYPE_MSOLE2", &format_ole2},     {"CL_TYPE_ONENOTE", &format_onenote},
    {"CL_TYPE_PDF", &format_pdf},         {"CL_TYPE_RTF", &format_rtf},
    {"CL_TYPE_MACHO_UNIBIN", &format_macho_fat},
    {"CL_TYPE_SCRENC", &format_screnc},
};

/* The formats clamscan --scan-archive=no does not look into (measured
 * with clamscan 1.4 on the clamav-testfiles archives; mail, TNEF,
 * uuencode, OLE2, OneNote, PDF, InstallShield cabinets, Mach-O universal
 * binaries and Script Encoder files are read on). */
static const struct vigil_format *const archives[] = {
    &format_gzip, &format_bzip2, &format_xz,  &format_lzma,  &format_zstd,
    &format_archive, &format_mscab, &format_mschm, &format_szdd, &format_sis,
    &format_arj, &format_binhex, &format_rtf, &format_nsis, &format_autoit,
    &format_ishield_msi,
};

int format_is_archive(const struct vigil_format *f)
{
    for (size_t i = 0; i < sizeof archives / sizeof archives[0]; i++)
        if (archives[i] == f)
            return 1;
    return 0;
}

const struct vigil_format *format_for_cltype(const char *cltype)
{
    for (size_t i = 0; i < sizeof by_cltype / sizeof by_cltype[0]; i++)
        if (strcmp(by_cltype[i].cltype, cltype) == 0)
            return by_cltype[i].fmt;
    return NULL;
}

const struct vigil_format *format_find(const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (formats[i]->detect(buf, len))
            return formats[i];
    return NULL;
}
