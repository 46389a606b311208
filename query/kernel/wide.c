/* query/kernel/wide.c: the kernel's hot files compiled again for batches of LMAX words of lanes
 * (512 sources), their functions named NAME_wide, every loop over a position's words unrolled. */
#define AP_KERNEL_WIDE 1

#include "sweep.c"
#include "pull.c"
#include "held.c"
