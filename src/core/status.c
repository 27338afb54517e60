/* status.c - status texts, version, and the limit table (names and defaults). */
#include "core/status.h"

static const char *const status_text[] = {
#define VIGIL_X_TEXT(code, text) [code] = text,
    VIGIL_STATUS_LIST(VIGIL_X_TEXT)
#undef VIGIL_X_TEXT
};

const char *vigil_strerror(vigil_status status)
{
    if ((unsigned)status >= VIGIL_STATUS_COUNT)
        return "unknown status";
    return status_text[status];
}

const char *vigil_version(void)
{
    return VIGIL_VERSION_STRING;
}

void vigil_limits_default(struct vigil_limits *l)
{
    /* clamscan 1.4's defaults, so that the same command line means the same. */
    l->max_filesize = 100ull * 1024 * 1024;
    l->max_scansize = 400ull * 1024 * 1024;
    l->max_files = 10000;
    l->max_recursion = 17;
    l->max_scantime_ms = 120000;
    l->max_ratio = 1000; /* vigil's own; deflate tops out near 1032:1 */
    l->max_htmlnormalize = 40ull << 20;
    l->max_htmlnotags = 8ull << 20;
    l->max_scriptnormalize = 20ull << 20;
}

/* One row per limit: ClamAV's name for it, and the detection a hit limit
 * becomes under --alert-exceeds-max (Heuristics.Limits.Exceeded.<Name>). */
#define LIMIT_ROW(bit, name) {bit, name, "Heuristics.Limits.Exceeded." name}
static const struct {
    unsigned bit;
    const char *name, *detection;
} limit_names[] = {
    LIMIT_ROW(VIGIL_LIMIT_FILESIZE, "MaxFileSize"),
    LIMIT_ROW(VIGIL_LIMIT_SCANSIZE, "MaxScanSize"),
    LIMIT_ROW(VIGIL_LIMIT_FILES, "MaxFiles"),
    LIMIT_ROW(VIGIL_LIMIT_RECURSION, "MaxRecursion"),
    LIMIT_ROW(VIGIL_LIMIT_SCANTIME, "MaxScanTime"),
    LIMIT_ROW(VIGIL_LIMIT_DETECTIONS, "MaxDetections"),
    LIMIT_ROW(VIGIL_LIMIT_YARA_MATCHES, "YaraMaxStringMatches"),
    LIMIT_ROW(VIGIL_LIMIT_RATIO, "MaxCompressionRatio"),
};

const char *vigil_limit_name(unsigned bit)
{
    for (size_t i = 0; i < sizeof limit_names / sizeof limit_names[0]; i++)
        if (limit_names[i].bit == bit)
            return limit_names[i].name;
    return NULL;
}

const char *limit_detection_name(unsigned bit)
{
    for (size_t i = 0; i < sizeof limit_names / sizeof limit_names[0]; i++)
        if (limit_names[i].bit == bit)
            return limit_names[i].detection;
    return NULL;
}
