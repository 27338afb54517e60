/* fuzz_exe.c - fuzz the executable layout readers (PE, ELF, Mach-O): every
 * input is read as each of the three types, and the layout must keep its
 * invariants. */
#include <stddef.h>
#include <stdint.h>

#include "scan/exe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct exe_info *info)
{
    const struct exe_layout *l = &info->layout;

    if (l->sect_off != info->sect_off || l->sect_size != info->sect_size)
        __builtin_trap();
    if (l->nsect > EXE_MAX_SECTIONS)
        __builtin_trap();
    /* clamscan keeps EP and section values to 32 bits. */
    if (l->ep > UINT32_MAX)
        __builtin_trap();
    for (uint32_t i = 0; i < l->nsect; i++)
        if (info->sect_off[i] > UINT32_MAX || info->sect_size[i] > UINT32_MAX)
            __builtin_trap();
    if (!l->valid && (l->nsect != 0 || l->ep != 0))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum target_type types[] = {TARGET_PE, TARGET_ELF, TARGET_MACHO,
                                             TARGET_ANY};
    static struct exe_info info;

    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        exe_layout_read(data, size, types[i], &info);
        check(&info);
    }
    return 0;
}
