/* test_proto.c - clamd framing and command names: the quirks clients rely
 * on (prefix matching in table order, the one-byte argument separator,
 * old-style only first), and the messages between parent and workers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/msg.h"
#include "daemon/proto.h"

/* Frames buf (a copy) and names its command; returns the command. */
static int parse(const char *in, size_t len, bool first, size_t *consumed,
                            char *arg_out)
{
    char buf[256];
    struct proto_frame f;
    const char *arg;
    enum proto_cmd c;

    memcpy(buf, in, len);
    if (!proto_frame(buf, len, first, &f))
        return -1;
    *consumed = f.consumed;
    c = proto_command(&f, &arg);
    strcpy(arg_out, arg ? arg : "(null)");
    return (int)c;
}

static void test_framing(void **state)
{
    size_t used;
    char arg[256];
    (void)state;
    assert_int_equal(parse("zPING\0zVERSION\0", 15, false, &used, arg), CMD_PING);
    assert_int_equal(used, 6);
    assert_int_equal(parse("nPING\r\n", 7, false, &used, arg), CMD_PING);
    assert_int_equal(parse("nPING", 5, false, &used, arg), -1); /* wait for \n */
    assert_int_equal(parse("PING", 4, true, &used, arg), CMD_PING); /* one packet */
    assert_int_equal(parse("PING", 4, false, &used, arg), -1);      /* not first */
    assert_int_equal(parse("PING\nPING\n", 10, true, &used, arg), CMD_PING);
    assert_int_equal(used, 5);
}

static void test_commands(void **state)
{
    size_t used;
    char arg[256];
    (void)state;
    assert_int_equal(parse("nVERSIONCOMMANDS\n", 17, false, &used, arg), CMD_VERSIONCOMMANDS);
    assert_int_equal(parse("VERSIONCOMMANDS\n", 16, true, &used, arg), CMD_UNKNOWN);
    assert_int_equal(parse("nDETSTATSCLEAR\n", 15, false, &used, arg), CMD_DETSTATSCLEAR);
    assert_int_equal(parse("nPING extra\n", 12, false, &used, arg), CMD_UNKNOWN);
    assert_int_equal(parse("nSCAN\n", 6, false, &used, arg), CMD_UNKNOWN);
    assert_int_equal(parse("nSCAN /a b\n", 11, false, &used, arg), CMD_SCAN);
    assert_string_equal(arg, "/a b");
    assert_int_equal(parse("nSCANx/tmp\n", 11, false, &used, arg), CMD_SCAN);
    assert_string_equal(arg, "/tmp"); /* clamd skips one byte, whatever it is */
    assert_int_equal(parse("zSC\0AN /x\0", 10, false, &used, arg), CMD_UNKNOWN);
    assert_int_equal(parse("zSCAN\0", 6, false, &used, arg), CMD_UNKNOWN);
    assert_int_equal(parse("zINSTREAM\0", 10, false, &used, arg), CMD_INSTREAM);
    assert_int_equal(parse("INSTREAM", 8, true, &used, arg), CMD_UNKNOWN);
    assert_int_equal(parse("ALLMATCHSCAN /x", 15, true, &used, arg), CMD_UNKNOWN);
    assert_int_equal(parse("QUIT", 4, true, &used, arg), CMD_QUIT);
    assert_int_equal(parse("nFOO\n", 5, false, &used, arg), CMD_UNKNOWN);
}

static void test_messages(void **state)
{
    struct msg_result r, got;
    struct msg_scan m = {.type = MSG_SCAN, .seq = 7}, mg;
    int sv[2], fd;
    long n;
    (void)state;
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
    assert_int_equal(msg_send(sv[0], &m, sizeof(m), 0), 0);
    n = msg_recv(sv[1], &mg, sizeof(mg), &fd);
    assert_int_equal(n, sizeof(mg));
    assert_true(fd >= 0);
    close(fd);
    memset(&r, 0, sizeof(r));
    r.type = MSG_RESULT;
    r.verdict = VERDICT_FOUND;
    r.count = 1;
    strcpy(r.text, "Eicar");
    r.textlen = 5;
    assert_int_equal(msg_send(sv[0], &r, sizeof(r), -1), 0);
    n = msg_recv(sv[1], &got, sizeof(got), &fd);
    assert_int_equal(msg_result_check(&got, n), 0);
    got.textlen = 4; /* a length that does not end at the NUL */
    assert_int_equal(msg_result_check(&got, n), -1);
    got.textlen = MSG_TEXT_MAX;
    assert_int_equal(msg_result_check(&got, n), -1);
    got.textlen = 5;
    got.verdict = 9;
    assert_int_equal(msg_result_check(&got, n), -1);
    got.verdict = VERDICT_FOUND;
    assert_int_equal(msg_result_check(&got, n - 1), -1); /* short */
    got.count = 0;
    assert_int_equal(msg_result_check(&got, n), -1); /* FOUND without names */
    got.count = 2;
    assert_int_equal(msg_result_check(&got, n), -1); /* more names than text has */
    got.count = 1;
    got.text[2] = '\r';
    assert_int_equal(msg_result_check(&got, n), -1); /* a control byte */
    got.text[2] = '\n';
    assert_int_equal(msg_result_check(&got, n), -1); /* 2 names, count 1 */
    got.count = 2;
    assert_int_equal(msg_result_check(&got, n), 0);
    got.verdict = VERDICT_ERROR;
    assert_int_equal(msg_result_check(&got, n), -1); /* no newline in an ERROR */
    /* An ACK (instream.c) is CLEAN with no names and no text. */
    memset(&got, 0, sizeof(got));
    got.type = MSG_ACK;
    assert_int_equal(msg_result_check(&got, n), 0);
    got.verdict = VERDICT_FOUND;
    assert_int_equal(msg_result_check(&got, n), -1);
    got.verdict = VERDICT_CLEAN;
    got.count = 1;
    assert_int_equal(msg_result_check(&got, n), -1);
    got.count = 0;
    got.textlen = 1;
    got.text[0] = 'x';
    assert_int_equal(msg_result_check(&got, n), -1);
    got.type = MSG_GROWN; /* a parent's message is no answer */
    got.textlen = 0;
    got.text[0] = '\0';
    assert_int_equal(msg_result_check(&got, n), -1);
    /* A truncated message is an error, not a partial read. */
    assert_int_equal(msg_send(sv[0], &r, sizeof(r), -1), 0);
    assert_int_equal(msg_recv(sv[1], &mg, sizeof(mg), &fd), -1);
    close(sv[0]);
    assert_int_equal(msg_recv(sv[1], &mg, sizeof(mg), &fd), 0); /* peer gone */
    close(sv[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_framing),
        cmocka_unit_test(test_commands),
        cmocka_unit_test(test_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
