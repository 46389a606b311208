/* tests/reliability/render_shim.c: an LD_PRELOAD shim over Graphviz's gvLayout for
 * render_stalled.sh: AP_SHIM=stall blocks the rendering child for good; AP_SHIM=starve makes it
 * crawl (20 ms of CPU a second, for AP_SHIM_SECONDS) like a child waiting for a busy CPU, in the
 * first rendering only (the one that creates the file AP_SHIM_ONCE). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <graphviz/gvc.h>

static double now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((visibility("default")))
int gvLayout(GVC_t *gvc, graph_t *g, const char *engine)
{
    int (*real)(GVC_t *, graph_t *, const char *) =
        (int (*)(GVC_t *, graph_t *, const char *))dlsym(RTLD_NEXT, "gvLayout");
    const char *mode = getenv("AP_SHIM");
    if (mode != NULL && strcmp(mode, "stall") == 0)
        for (;;)
            pause();
    if (mode != NULL && strcmp(mode, "starve") == 0
        && open(getenv("AP_SHIM_ONCE"), O_CREAT | O_EXCL | O_WRONLY, 0600) >= 0) {
        double end = now(CLOCK_MONOTONIC) + atof(getenv("AP_SHIM_SECONDS"));
        while (now(CLOCK_MONOTONIC) < end) {
            double spin = now(CLOCK_PROCESS_CPUTIME_ID) + 0.02;
            while (now(CLOCK_PROCESS_CPUTIME_ID) < spin)
                continue;
            usleep(980000);
        }
    }
    return real(gvc, g, engine);
}
