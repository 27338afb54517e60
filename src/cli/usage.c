/* usage.c - the help text of vigil scan. Kept as data, one line per entry,
 * in the order of clamscan's --help so that its users find their options. */
#include "cli/usage.h"

#include "cli/dbload.h"
#include "core/audit.h"

/* clang-format off: one help line per source line reads best. */
static const char *const scan_help[] = {
    "Usage: vigil scan [options] [file/directory/-]...",
    "",
    "Scans files and directories for malware. Speaks clamscan's options and prints",
    "clamscan's lines, so scripts written for clamscan keep working.",
    "",
    "    --help                -h             Show this help",
    "    --version             -V             Print version number",
    "    --verbose             -v             Be verbose (\"Scanning FILE\", engine "
    "info)",
    "    --debug                              Show the engine's debug messages",
    "    --quiet                              Only output error messages",
    "    --stdout                             Write warnings and errors to stdout",
    "    --no-summary                         Disable summary at end of scanning",
    "    --infected            -i             Only print infected files",
    "    --suppress-ok-results -o             Skip printing OK files",
    "    --bell                               Sound bell on virus detection",
    "",
    "    --database=FILE/DIR   -d FILE/DIR    Load signatures from FILE or all database "
    "files",
    "                                         in DIR (repeatable; default: "
    "$VIGIL_DATABASE_DIR",
    "                                         or " DBLOAD_DEFAULT_DIR ")",
    "    --yara=FILE                          Load YARA rules from FILE, whatever its name",
    "                                         (repeatable; .yar/.yara files in -d "
    "directories",
    "                                         are loaded too)",
    "    --no-builtin[=yes/no(*)]             Do not add the builtin test signatures",
    "    --cache-dir=DIR                      Keep compiled signatures in DIR (default:",
    "                                         /var/cache/vigil as root, else ~/.cache/vigil)",
    "    --no-cache[=yes/no(*)]               Neither read nor write compiled signatures",
    "    --no-sandbox[=yes/no(*)]             Scan inside this process, without the",
    "                                         sandboxed workers (debugging only)",
    "    --audit-log=FILE                     Append every --move/--copy/--remove to FILE",
    "                                         (default as root: " AUDIT_DEFAULT_PATH ")",
    "    --log=FILE            -l FILE        Append the scan report to FILE",
    "    --recursive[=yes/no(*)]  -r          Scan subdirectories recursively",
    "    --allmatch[=yes/no(*)]   -z          Report every signature that matches a file",
    "    --cross-fs[=yes(*)/no]               Scan files and directories on other "
    "filesystems",
    "    --follow-dir-symlinks[=0/1(*)/2]     Follow directory symlinks (0 = never,",
    "                                         1 = named on the command line, 2 = always)",
    "    --follow-file-symlinks[=0/1(*)/2]    Follow file symlinks (0 = never, 1 = "
    "direct, 2 = always)",
    "    --file-list=FILE      -f FILE        Scan the paths listed in FILE, one per "
    "line",
    "    --remove[=yes/no(*)]                 Remove infected files. Be careful!",
    "    --move=DIRECTORY                     Move infected files into DIRECTORY",
    "    --copy=DIRECTORY                     Copy infected files into DIRECTORY",
    "    --exclude=REGEX                      Don't scan files whose absolute path "
    "matches REGEX",
    "    --exclude-dir=REGEX                  Don't scan directories whose path matches "
    "REGEX",
    "    --include=REGEX                      Only scan files whose absolute path "
    "matches REGEX",
    "    --include-dir=REGEX                  Only scan directories whose path matches "
    "REGEX",
    "",
    "    --max-filesize=#n                    Files larger than this are not scanned "
    "(100M)",
    "    --max-scansize=#n                    Bytes to scan per file, containers "
    "included (400M)",
    "    --max-files=#n                       Files to scan inside one container (10000)",
    "    --max-recursion=#n                   Container nesting depth (17)",
    "    --max-scantime=#n                    Milliseconds per file (120000)",
    "    --max-ratio=#n                       Decompressed bytes per compressed byte "
    "(1000)",
    "    --max-dir-recursion=#n               Directory depth with -r (15)",
    "    --alert-exceeds-max[=yes/no(*)]      A file that hits a limit is a detection",
    "                                         (Heuristics.Limits.Exceeded.*)",
    "    --scan-mail[=yes(*)/no]              Scan mail files (mbox, MIME, TNEF)",
    "",
    "    --scan-ole2[=yes(*)/no]              Unpack OLE2 documents (streams, VBA, objects)",
    "    --scan-onenote[=yes(*)/no]           Unpack files attached to OneNote sections",
    "    --alert-macros[=yes/no(*)]           A document with VBA or Excel 4.0 macros is a",
    "                                         detection (Heuristics.OLE2.ContainsMacros.*)",
    "    --alert-encrypted[=yes/no(*)]        Alert on encrypted archives and documents",
    "    --alert-encrypted-archive[=yes/no(*)] Alert on encrypted archives",
    "    --alert-encrypted-doc[=yes/no(*)]    Alert on encrypted documents",
    "    --scan-pdf[=yes(*)/no]               Scan PDF files",
    "    --scan-pe[=yes(*)/no]                Scan PE files (section and import hashes,",
    "                                         UPX unpacking)",
    "    --scan-elf[=yes(*)/no]               Scan ELF files",
    "    --alert-broken[=yes/no(*)]           Alert on broken executable files (PE & ELF)",
    "    --scan-html[=yes(*)/no]              Scan HTML files (their normalised views)",
    "    --scan-archive[=yes(*)/no]           Scan archive files (zip, tar, gzip, cab, ...)",
    "    --max-htmlnormalize=#n               Maximum size of HTML file to normalize (40M)",
    "    --max-htmlnotags=#n                  Maximum size of normalized HTML file to scan",
    "                                         (8M)",
    "    --max-scriptnormalize=#n             Maximum size of script file to normalize (20M)",
    "",
    "    --jobs=N              -j N           Scan with N threads (default: one per CPU)",
    "    --json[=yes/no(*)]                   Print one JSON object per path (JSON "
    "Lines)",
    "    --progress[=yes/no]                  Show a progress line on stderr (default: "
    "when",
    "                                         stderr is a terminal)",
    "",
    "Sizes take K, M or G suffixes (powers of 1024). clamscan's other options "
    "(--scan-swf,",
    "--detect-pua, --bytecode, --scan-hwp3, ...) are accepted with a warning: they "
    "tune",
    "features vigil does not have yet.",
    "",
    "Pass in - as the filename for stdin.",
    "",
    "Exit status: 0 nothing found, 1 something found, 2 errors and nothing found.",
};
/* clang-format on */

void usage_scan(FILE *f)
{
    size_t k;

    for (k = 0; k < sizeof scan_help / sizeof scan_help[0]; k++) {
        fputs(scan_help[k], f);
        fputc('\n', f);
    }
}
