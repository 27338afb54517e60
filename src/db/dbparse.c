/* dbparse.c - the shared line loop of the text database readers. */
#include "db/dbparse.h"

#include <string.h>

#include "core/engine.h"
#include "db/lines.h"

vigil_status dbparse_run(struct vigil_engine *e, const char *dbname, struct lines *it,
                         const struct dbparse_rules *rules, dbparse_line_fn fn,
                         void *ctx)
{
    const char *line, *bad;
    size_t n;
    vigil_status st;

    while (lines_next(it, &line, &n)) {
        if (n > 0 && line[0] == '#')
            continue;
        if (it->toolong || n > rules->max_len)
            return engine_fail(e, VIGIL_EMALFORMED, "%s:%lu: line too long", dbname,
                               it->lineno);
        if (memchr(line, '\0', n))
            return engine_fail(e, VIGIL_EMALFORMED, "%s:%lu: NUL byte in line", dbname,
                               it->lineno);
        st = VIGIL_OK;
        bad = fn(ctx, line, n, &st);
        if (bad)
            return engine_fail(e, VIGIL_EMALFORMED, "%s:%lu: %s", dbname, it->lineno,
                               bad);
        if (st != VIGIL_OK)
            return engine_fail(e, st, "%s:%lu: %s", dbname, it->lineno,
                               vigil_strerror(st));
    }
    if (it->error != VIGIL_OK)
        return engine_fail(e, it->error, "%s: read error", dbname);
    if (it->lineno == 0 && !rules->empty_ok)
        return engine_fail(e, VIGIL_EMALFORMED, "%s: empty database file", dbname);
    return VIGIL_OK;
}
