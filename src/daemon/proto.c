/* proto.c - clamd framing and command names (see proto.h).
 *
 * Spec: clamd(8) "COMMANDS" and ClamAV 1.4's clamd/server-th.c get_cmd() and
 * clamd/session.c parse_command(), whose quirks are kept because clients
 * depend on them: commands match by prefix, in table order (VERSIONCOMMANDS
 * before VERSION, DETSTATSCLEAR before DETSTATS); the argument starts one
 * byte after the name, whatever that byte is. Limit: PROTO_CMD_MAX.
 */
#include "daemon/proto.h"

#include <string.h>

struct command {
    const char *name;
    enum proto_cmd cmd;
    bool need_arg;
    bool support_old;
};

static const struct command commands[] = {
    {"SCAN", CMD_SCAN, true, true},
    {"QUIT", CMD_QUIT, false, true},
    {"RELOAD", CMD_RELOAD, false, true},
    {"PING", CMD_PING, false, true},
    {"CONTSCAN", CMD_CONTSCAN, true, true},
    {"VERSIONCOMMANDS", CMD_VERSIONCOMMANDS, false, false},
    {"VERSION", CMD_VERSION, false, true},
    {"END", CMD_END, false, false},
    {"SHUTDOWN", CMD_SHUTDOWN, false, true},
    {"MULTISCAN", CMD_MULTISCAN, true, true},
    {"FILDES", CMD_FILDES, false, true},
    {"STATS", CMD_STATS, false, true},
    {"IDSESSION", CMD_IDSESSION, false, false},
    {"INSTREAM", CMD_INSTREAM, false, false},
    {"DETSTATSCLEAR", CMD_DETSTATSCLEAR, false, true},
    {"DETSTATS", CMD_DETSTATS, false, true},
    {"ALLMATCHSCAN", CMD_ALLMATCHSCAN, true, false},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

const char *const proto_command_names[] = {
    "SCAN", "QUIT", "RELOAD", "PING", "CONTSCAN", "VERSIONCOMMANDS", "VERSION",
    "END", "SHUTDOWN", "MULTISCAN", "FILDES", "STATS", "IDSESSION", "INSTREAM",
    "DETSTATSCLEAR", "DETSTATS", "ALLMATCHSCAN", NULL};

/* Drops trailing CR and LF, as clamd's cli_chomp. */
static size_t chomp(char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return n;
}

int proto_frame(char *buf, size_t len, bool first, struct proto_frame *f)
{
    char term, *end;

    memset(f, 0, sizeof(*f));
    if (len == 0)
        return 0;
    if (buf[0] == 'z' || buf[0] == 'n') {
        term = buf[0] == 'z' ? '\0' : '\n';
        if (!(end = memchr(buf, term, len)))
            return 0;
        *end = '\0';
        f->cmd = buf + 1;
        f->cmdlen = (size_t)(end - f->cmd);
        if (term == '\n')
            f->cmdlen = chomp(f->cmd, f->cmdlen);
        f->term = term;
        f->consumed = (size_t)(end - buf) + 1;
        return 1;
    }
    if (!first)
        return 0;
    /* Old style: one packet is one command, up to a newline if it has one. */
    end = memchr(buf, '\n', len);
    f->consumed = end ? (size_t)(end - buf) + 1 : len;
    if (!end)
        end = buf + len;
    *end = '\0';
    f->cmd = buf;
    f->cmdlen = chomp(buf, (size_t)(end - buf));
    f->term = '\n';
    f->oldstyle = true;
    return 1;
}

enum proto_cmd proto_command(const struct proto_frame *f, const char **arg)
{
    const struct command *c;
    size_t k, n, len = strnlen(f->cmd, f->cmdlen);

    /* clamd compares C strings: a NUL inside a command ends it. */
    *arg = NULL;
    for (k = 0; k < NCOMMANDS; k++) {
        c = &commands[k];
        n = strlen(c->name);
        if (len < n || memcmp(f->cmd, c->name, n) != 0)
            continue;
        if (c->need_arg) {
            if (len == n)
                return CMD_UNKNOWN;
            *arg = f->cmd + n + 1;
        } else if (f->cmd[n] != '\0') {
            return CMD_UNKNOWN;
        }
        if (f->oldstyle && !c->support_old) {
            *arg = NULL;
            return CMD_UNKNOWN;
        }
        return c->cmd;
    }
    return CMD_UNKNOWN;
}
