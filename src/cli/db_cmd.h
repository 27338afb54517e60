/* db_cmd.h - the `vigil db` command: look at and verify ClamAV database
 * containers (.cvd .cld .cud), as `sigtool --info` does, and compile
 * signatures into the cache. */
#ifndef VIGIL_CLI_DB_CMD_H
#define VIGIL_CLI_DB_CMD_H

/* Runs `vigil db` with argv[0] = "db". Returns the exit code: 0 when every
 * FILE verifies, 1 when one does not, 2 on a usage error. */
int db_main(int argc, char **argv);

/* Runs `vigil db compile` with argv[0] = "compile" (db_compile.c). Returns
 * 0 when the signatures compiled (and were cached when large enough), 2 on
 * an error. */
int db_compile_main(int argc, char **argv);

#endif
