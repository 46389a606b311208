/* query/render/dot_render.c: laying out and rendering a diagram (SVG, PNG, PDF), or all of a
 * fit's, in a child process with CPU and memory caps: a Graphviz fault never reaches the caller. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dot_internal.h"

/* Why a child: Graphviz 2.42 aborts with a double free in gvFreeLayout after laying out some
 * valid graphs (flat_edges reallocates a rank array that dot's cleanup frees again; an
 * 11-deep subcontractor chain is enough), and its pango plugin keeps a static pointer into
 * the font cache of the last context. The child makes its own context, lays out, renders,
 * writes the bytes into a pipe and exits without freeing anything, so neither the fault nor
 * any state reaches the caller or the next diagram. */

/* The child's exit statuses of its own (Graphviz itself exits 1 when malloc fails). */
enum { CHILD_OK = 0, CHILD_NOCONTEXT = 70, CHILD_LAYOUT = 71, CHILD_RENDER = 72,
       CHILD_WRITE = 73 };

/* Rendering reads the diagram from the parent's memory and returns its bytes: as diagrams
 * hold at most AP_DIAGRAM_MAX_NODES nodes with bounded labels, these are far above need. */
#define AP_RENDER_MAX_OUTPUT ((size_t)256 << 20)

int ap_dot__write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

static void write_all(int fd, const char *data, size_t len)
{
    if (ap_dot__write_all(fd, data, len) < 0)
        _exit(CHILD_WRITE);
}

/* The context of the child this process is (NULL in the caller), and the limits the caller
 * had, which no cap of the child goes above. */
static GVC_t *here;
static struct rlimit caller_as, caller_cpu;

/* Set resource to room more than used, never above what the caller had. */
static void cap(int resource, const struct rlimit *caller, rlim_t used, rlim_t room)
{
    struct rlimit rl = *caller;
    rl.rlim_cur = used + room;
    if (caller->rlim_cur != RLIM_INFINITY && caller->rlim_cur < rl.rlim_cur)
        rl.rlim_cur = caller->rlim_cur;
    setrlimit(resource, &rl);
}

/* Each drawing a child lays out may grow its address space by AP_RENDER_MEMORY_MB over what
 * it had before (at first, what it inherited: the parent's heap and, under ASan, its shadow
 * reservation). Without /proc, only the CPU cap applies. */
static void cap_memory(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long long pages = 0;
    if (f == NULL)
        return;
    int ok = fscanf(f, "%llu", &pages) == 1;
    fclose(f);
    if (ok)
        cap(RLIMIT_AS, &caller_as, (rlim_t)(pages * (unsigned long long)sysconf(_SC_PAGESIZE)),
            (rlim_t)AP_RENDER_MEMORY_MB << 20);
}

/* ... and AP_RENDER_CPU_SECONDS of CPU time more than it had used before (none: a new child). */
static void cap_cpu(bool fresh)
{
    struct rusage ru;
    if (fresh || getrusage(RUSAGE_SELF, &ru) != 0) {
        cap(RLIMIT_CPU, &caller_cpu, 0, AP_RENDER_CPU_SECONDS);
        return;
    }
    /* whole seconds, rounded up: the limit is in whole seconds (0 in a new child) */
    long long us = ((long long)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000
                   + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
    cap(RLIMIT_CPU, &caller_cpu, (rlim_t)((us + 999999) / 1000000), AP_RENDER_CPU_SECONDS);
}

/* Lay root out and render it with the child's context: CHILD_OK with the bytes in *data, or
 * the status a child would exit with, Graphviz's message in *msg. Nothing is freed: the
 * child's exit does it (gvFreeLayout can fault, above). */
static int draw_here(Agraph_t *root, const char *format, char **data, unsigned int *size,
                     const char **msg)
{
    *msg = NULL;
    if (gvLayout(here, root, "dot") != 0) {
        *msg = aglasterr();
        return CHILD_LAYOUT;
    }
    if (gvRenderData(here, root, format, data, size) != 0) {
        *msg = aglasterr();
        return CHILD_RENDER;
    }
    return CHILD_OK;
}

/* Start being a child: caps, own signals, one context. */
static void child_start(void)
{
    signal(SIGPIPE, SIG_DFL);
    if (getrlimit(RLIMIT_AS, &caller_as) != 0 || getrlimit(RLIMIT_CPU, &caller_cpu) != 0)
        _exit(CHILD_NOCONTEXT);
    cap_cpu(true);
    cap_memory();
    if ((here = gvContext()) == NULL)
        _exit(CHILD_NOCONTEXT);
}

/* The child of one drawing: never returns. What went wrong goes into the pipe as text. */
static void child(int fd, Agraph_t *root, const char *format)
{
    char *data = NULL;
    unsigned int size = 0;
    const char *msg;
    child_start();
    int st = draw_here(root, format, &data, &size, &msg);
    if (st != CHILD_OK) {
        if (msg != NULL)
            write_all(fd, msg, strlen(msg));
        _exit(st);
    }
    write_all(fd, data, size);
    _exit(CHILD_OK);            /* no gvFreeLayout, no gvFreeContext: the exit frees */
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The child's CPU time in milliseconds, or -1 when it cannot be read. */
static int64_t child_cpu_ms(pid_t pid)
{
    clockid_t clock;
    struct timespec ts;
    if (clock_getcpuclockid(pid, &clock) != 0 || clock_gettime(clock, &ts) != 0)
        return -1;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read the child's pipe to its end, within the output and time bounds. 0 when the child closed
 * it; -1 with *why set otherwise (the caller kills the child). The CPU time is capped in the
 * child (RLIMIT_CPU); the wall clock here only catches a child that makes no progress: one that
 * has used no CPU for AP_RENDER_WALL_SECONDS (blocked), or has run AP_RENDER_WALL_MAX_SECONDS
 * in all. A child that waits for a CPU on a busy machine is not stopped for it. */
static int collect(int fd, pid_t pid, char **buf, size_t *len, const char **why)
{
    size_t cap = 0;
    int64_t start = now_ms(), progress = start, cpu = child_cpu_ms(pid);
    *buf = NULL;
    *len = 0;
    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        int64_t t = now_ms(), c = child_cpu_ms(pid);
        if (c >= 0 && c != cpu) {
            cpu = c;
            progress = t;
        }
        if (t - progress >= (int64_t)AP_RENDER_WALL_SECONDS * 1000
            || t - start >= (int64_t)AP_RENDER_WALL_MAX_SECONDS * 1000) {
            *why = "took too long";
            return -1;
        }
        int64_t left = (int64_t)AP_RENDER_WALL_SECONDS * 1000 - (t - progress);
        if (left > 1000)
            left = 1000;        /* look at the child's CPU clock once a second */
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            *why = "cannot read from the renderer";
            return -1;
        }
        if (r == 0)
            continue;           /* the deadline is checked above */
        if (*len + 65536 + 1 > cap) {
            size_t ncap = cap ? cap * 2 : 262144;
            char *p2 = realloc(*buf, ncap);
            if (p2 == NULL) {
                *why = "out of memory";
                return -1;
            }
            *buf = p2;
            cap = ncap;
        }
        ssize_t n = read(fd, *buf + *len, cap - *len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *why = "cannot read from the renderer";
            return -1;
        }
        if (n == 0)
            return 0;
        *len += (size_t)n;
        if (*len > AP_RENDER_MAX_OUTPUT) {
            *why = "wrote more than 256 MiB";
            return -1;
        }
    }
}

/* What the child's end says, as an error (status is waitpid's). */
static int child_error(ap_error *err, int status, const char *text, size_t len)
{
    char msg[160];
    size_t n = 0;
    /* Graphviz's own message: the first line, printable ASCII only (it quotes our labels) */
    while (n < len && n + 1 < sizeof msg && text[n] != '\n') {
        msg[n] = text[n] >= 0x20 && text[n] < 0x7f ? text[n] : '?';
        n++;
    }
    msg[n] = '\0';
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig == SIGXCPU || sig == SIGKILL)
            return ap_error_set(err, AP_EBUG, "graphviz: rendering stopped after its limit "
                                "of %d s of CPU time", AP_RENDER_CPU_SECONDS);
        return ap_error_set(err, AP_EBUG, "graphviz: rendering crashed (signal %d, %s); "
                            "nothing was written", sig, strsignal(sig));
    }
    switch (WEXITSTATUS(status)) {
    case CHILD_NOCONTEXT:
        return ap_error_set(err, AP_ENOMEM, "graphviz: cannot make a rendering context");
    case CHILD_LAYOUT:
        return ap_error_set(err, AP_EBUG, "graphviz: layout failed%s%s", n ? ": " : "", msg);
    case CHILD_RENDER:
        return ap_error_set(err, AP_EBUG, "graphviz: rendering failed%s%s", n ? ": " : "",
                            msg);
    case CHILD_WRITE:
        return ap_error_set(err, AP_EIO, "graphviz: the renderer could not hand its output "
                            "back");
    default:
        return ap_error_set(err, AP_EBUG, "graphviz: rendering failed (exit status %d; "
                            "Graphviz exits so when it runs out of its %d MiB)",
                            WEXITSTATUS(status), AP_RENDER_MEMORY_MB);
    }
}

/* Fork a child that runs body(ctx, fd) (never returning), and collect what it writes. */
static int run_child(char **out, size_t *len, void (*body)(void *ctx, int fd), void *ctx,
                     ap_error *err)
{
    int fds[2], status = 0, rc = AP_OK;
    char *buf = NULL;
    size_t n = 0;
    const char *why = NULL;
    pid_t pid, w;
    *out = NULL;
    *len = 0;
    if (pipe(fds) != 0)
        return ap_error_set(err, AP_EIO, "cannot start the renderer: %s", strerror(errno));
    fflush(NULL);               /* nothing buffered is written twice */
    if ((pid = fork()) < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        return ap_error_set(err, e == ENOMEM || e == EAGAIN ? AP_ENOMEM : AP_EIO,
                            "cannot start the renderer: %s", strerror(e));
    }
    if (pid == 0) {
        close(fds[0]);
        body(ctx, fds[1]);
    }
    close(fds[1]);
    int got = collect(fds[0], pid, &buf, &n, &why);
    close(fds[0]);
    if (got < 0)
        kill(pid, SIGKILL);
    while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
        ;
    if (got < 0) {
        rc = ap_error_set(err, strcmp(why, "out of memory") == 0 ? AP_ENOMEM : AP_EBUG,
                          "graphviz: rendering %s; nothing was written", why);
    } else if (w < 0) {
        rc = ap_error_set(err, AP_EBUG, "graphviz: cannot learn how the renderer ended: %s",
                          strerror(errno));
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != CHILD_OK) {
        rc = child_error(err, status, buf, n);
    } else if (buf == NULL) {
        rc = ap_error_set(err, AP_EBUG, "graphviz: rendering gave no output");
    }
    if (rc < 0) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return AP_OK;
}

typedef struct {
    Agraph_t *root;
    const char *format;
} one_drawing;

static void one_body(void *ctx, int fd)
{
    one_drawing *o = ctx;
    child(fd, o->root, o->format);
}

int ap_dot__render(char **out, size_t *len, Agraph_t *root, const char *format, ap_error *err)
{
    *out = NULL;
    *len = 0;
    if (here == NULL) {
        one_drawing o = { root, format };
        return run_child(out, len, one_body, &o, err);
    }
    /* inside a child already: lay it out here, under caps of its own */
    char *data = NULL;
    unsigned int size = 0;
    const char *msg;
    cap_cpu(false);
    cap_memory();
    int st = draw_here(root, format, &data, &size, &msg);
    if (st != CHILD_OK) {
        /* the status the child of one drawing would have exited with */
        return child_error(err, st << 8, msg != NULL ? msg : "", msg != NULL ? strlen(msg) : 0);
    }
    if ((*out = malloc((size_t)size + 1)) == NULL)
        return ap_error_nomem(err);
    memcpy(*out, data, size);
    (*out)[size] = '\0';
    *len = size;
    return AP_OK;
}

typedef struct {
    int (*work)(void *ctx, int fd);
    void *ctx;
} work_body;

static void work_child(void *ctx, int fd)
{
    work_body *b = ctx;
    child_start();
    _exit(b->work(b->ctx, fd) == 0 ? CHILD_OK : CHILD_WRITE);
}

int ap_dot__in_child(char **out, size_t *len, int (*work)(void *ctx, int fd), void *ctx,
                     ap_error *err)
{
    work_body b = { work, ctx };
    return run_child(out, len, work_child, &b, err);
}
