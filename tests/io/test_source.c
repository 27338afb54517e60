/* test_source.c - bounded byte sources: reads stop at the object's end, a
 * file that shrinks gives a short read (never a fault), memory and fd agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/source.h"

static void test_memory_bounds(void **state)
{
    struct source s;
    char buf[16];
    size_t got;
    (void)state;
    source_from_memory(&s, "hello world", 11);
    assert_int_equal(source_read(&s, 6, buf, sizeof buf, &got), VIGIL_OK);
    assert_int_equal(got, 5);
    assert_memory_equal(buf, "world", 5);
    assert_int_equal(source_read(&s, 11, buf, sizeof buf, &got), VIGIL_OK);
    assert_int_equal(got, 0);
    assert_int_equal(source_read(&s, 1000, buf, sizeof buf, &got), VIGIL_OK);
    assert_int_equal(got, 0);
}

static void test_fd_shrinks(void **state)
{
    char path[] = "/tmp/vigil-src-XXXXXX", buf[64];
    struct source s;
    size_t got;
    int fd = mkstemp(path);
    (void)state;
    assert_true(fd >= 0);
    unlink(path);
    assert_int_equal(write(fd, "0123456789", 10), 10);
    assert_int_equal(source_from_fd(&s, fd), VIGIL_OK);
    assert_int_equal(s.size, 10);
    assert_int_equal(ftruncate(fd, 4), 0);
    assert_int_equal(source_read(&s, 0, buf, 10, &got), VIGIL_OK);
    assert_int_equal(got, 4);
    close(fd);
    assert_int_equal(source_from_fd(&s, fd), VIGIL_EREAD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_bounds),
        cmocka_unit_test(test_fd_shrinks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
