/* proto.h - the clamd wire protocol: framing and command names, as
 * clamd/server-th.c (get_cmd) and clamd/session.c (parse_command) of
 * ClamAV 1.4 read them. Pure functions over a buffer, so they can be fuzzed.
 */
#ifndef VIGIL_DAEMON_PROTO_H
#define VIGIL_DAEMON_PROTO_H

#include <stdbool.h>
#include <stddef.h>

/* The longest command line a client may send (clamd: path + command). */
#define PROTO_CMD_MAX 8192

enum proto_cmd {
    CMD_UNKNOWN = 0,
    CMD_SCAN,
    CMD_QUIT,
    CMD_RELOAD,
    CMD_PING,
    CMD_CONTSCAN,
    CMD_VERSIONCOMMANDS,
    CMD_VERSION,
    CMD_END,
    CMD_SHUTDOWN,
    CMD_MULTISCAN,
    CMD_FILDES,
    CMD_STATS,
    CMD_IDSESSION,
    CMD_INSTREAM,
    CMD_DETSTATSCLEAR,
    CMD_DETSTATS,
    CMD_ALLMATCHSCAN
};

/* One framed command found at the start of a buffer. */
struct proto_frame {
    char *cmd;       /* NUL-terminated, inside the caller's buffer */
    size_t cmdlen;
    char term;       /* '\0' for z-commands, '\n' otherwise */
    bool oldstyle;   /* neither 'z' nor 'n' prefix */
    size_t consumed; /* bytes of the buffer this frame used */
};

/*
 * Finds the command at the start of buf (len bytes, cap >= len + 1 so an
 * unterminated old-style command can be NUL-terminated in place). first says
 * whether this is the first command of the connection: only then is an
 * unprefixed (old-style) command accepted, and it is the whole packet up to
 * a newline. Returns 1 with *f filled, 0 when more bytes are needed.
 * Modifies buf (terminators become NUL).
 */
int proto_frame(char *buf, size_t len, bool first, struct proto_frame *f);

/*
 * Names the command in f: as clamd, a command name followed by anything when
 * it takes no argument, or missing its argument, is CMD_UNKNOWN, and so is a
 * command that needs a prefix sent old-style. *arg is the argument (after the
 * one separator byte) or NULL.
 */
enum proto_cmd proto_command(const struct proto_frame *f, const char **arg);

/* The command names in clamd's VERSIONCOMMANDS order, NULL-terminated. */
extern const char *const proto_command_names[];

#endif
