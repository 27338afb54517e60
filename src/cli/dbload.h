/* dbload.h - which signatures vigil scan loads.
 *
 * With -d, each path in order, and any failure is fatal. Without -d, the
 * directory named by $VIGIL_DATABASE_DIR or else /var/lib/clamav, skipping
 * files of formats vigil does not read yet; a missing or empty default
 * directory is only a warning, because the builtin signatures still protect.
 * Then the --yara rule files, in order, each fatal if it does not load.
 * The builtin signatures (the EICAR test file, ClamAV's clam.exe) are added
 * unless --no-builtin. The compiled pre-filter of a large database is kept
 * in a cache directory between runs (vigil_engine_set_cache_dir).
 */
#ifndef VIGIL_CLI_DBLOAD_H
#define VIGIL_CLI_DBLOAD_H

#include "cli/options.h"
#include "cli/report.h"
#include "vigil/vigil.h"

/* The default database directory when $VIGIL_DATABASE_DIR is not set. */
#define DBLOAD_DEFAULT_DIR "/var/lib/clamav"

/* Compiled signatures of large databases are kept here when running as root
 * (see dbload_cache_dir). */
#define DBLOAD_ROOT_CACHE_DIR "/var/cache/vigil"

/* Puts into buf[0..n) the directory where compiled signatures are kept
 * (--cache-dir, $VIGIL_CACHE_DIR, or the default for the user), creating its
 * last component if needed. Returns 0, or -1 for no cache (--no-cache, or no
 * usable directory). */
int dbload_cache_dir(const struct scan_options *o, char *buf, size_t n);

/* Loads and compiles the engine's signatures, printing warnings and the
 * ERROR line of a failure through r. Returns 0, or -1 after an ERROR. */
int dbload_run(vigil_engine *e, const struct scan_options *o, struct report *r);

#endif
