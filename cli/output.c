/* cli/output.c: stdout as one sink that checks every write and escapes text for terminals, and
 * files written whole or not at all (--output FILE: a temporary file renamed on success). */
#define _GNU_SOURCE             /* fopencookie */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio_ext.h>          /* __fpurge */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

/* ---- Files written whole or not at all ----
 * The temporary files alive now, for the signal handler: it may only unlink them. */
enum { SLOTS = 8 };
static char slot_path[SLOTS][PATH_MAX];
static volatile sig_atomic_t slot_live[SLOTS];

static void on_fatal_signal(int sig)
{
    for (int i = 0; i < SLOTS; i++)
        if (slot_live[i])
            unlink(slot_path[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void catch_signals(void)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
    static bool done;
    struct sigaction sa;
    if (done)
        return;
    done = true;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&sa.sa_mask, sigs[i]);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old;
        /* a signal the shell ignores (nohup, background jobs) stays ignored */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(sigs[i], &sa, NULL);
    }
}

int cli_atomic_open(cli_atomic *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    int slot = -1, existing;
    struct stat sb;
    mode_t mask;
    a->path[0] = '\0';
    a->fd = -1;
    a->slot = -1;
    a->file = NULL;
    for (int i = 0; i < SLOTS && slot < 0; i++)
        if (!slot_live[i])
            slot = i;
    if (path[0] == '\0' || slot < 0) {
        cli_errorf("--output: %s", path[0] == '\0' ? "no file name" : "too many output files");
        return EXIT_USAGE;
    }
    existing = stat(path, &sb) == 0;
    if ((existing && S_ISDIR(sb.st_mode)) || path[strlen(path) - 1] == '/') {
        char *shown = ap_text_escape(path);
        cli_errorf("cannot write '%s': %s", shown != NULL ? shown : "?", strerror(EISDIR));
        free(shown);
        return EXIT_USAGE;
    }
    /* ".NAME.XXXXXX" in FILE's folder: rename() within one file system is atomic */
    if (snprintf(a->path, sizeof a->path, "%s", path) >= (int)sizeof a->path
        || snprintf(slot_path[slot], PATH_MAX, "%.*s.%s.XXXXXX",
                    slash != NULL ? (int)(slash - path + 1) : 0, path,
                    slash != NULL ? slash + 1 : path) >= PATH_MAX) {
        cli_errorf("--output: file name too long");
        return EXIT_USAGE;
    }
    catch_signals();
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);       /* no signal between creating and registering */
    a->fd = mkstemp(slot_path[slot]);
    if (a->fd >= 0)
        slot_live[slot] = 1;
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (a->fd < 0) {
        char *shown = ap_text_escape(path);
        cli_errorf("cannot write '%s': %s", shown != NULL ? shown : "?", strerror(errno));
        free(shown);
        return EXIT_USAGE;
    }
    /* the mode FILE has, or the one a plain creation would give it */
    mask = umask(0);
    umask(mask);
    fchmod(a->fd, existing && S_ISREG(sb.st_mode) ? sb.st_mode & 07777 : 0666 & ~mask);
    a->slot = slot;
    return EXIT_OK;
}

FILE *cli_atomic_file(cli_atomic *a)
{
    if (a->file == NULL && a->fd >= 0)
        a->file = fdopen(a->fd, "w");
    return a->file;
}

void cli_atomic_abort(cli_atomic *a)
{
    if (a->slot < 0)
        return;
    if (a->file != NULL)
        fclose(a->file);
    else if (a->fd >= 0)
        close(a->fd);
    unlink(slot_path[a->slot]);
    slot_live[a->slot] = 0;
    a->file = NULL;
    a->fd = -1;
    a->slot = -1;
}

int cli_atomic_commit(cli_atomic *a)
{
    int err = 0;
    if (a->slot < 0)
        return EXIT_INTERNAL;
    if (a->file != NULL && (fflush(a->file) != 0 || ferror(a->file)))
        err = errno != 0 ? errno : EIO;
    if (err == 0 && fsync(a->fd) != 0)
        err = errno;
    if (a->file != NULL) {
        if (fclose(a->file) != 0 && err == 0)
            err = errno;
        a->file = NULL;
    } else if (close(a->fd) != 0 && err == 0) {
        err = errno;
    }
    a->fd = -1;
    if (err == 0 && rename(slot_path[a->slot], a->path) != 0)
        err = errno;
    if (err != 0) {
        char *shown = ap_text_escape(a->path);
        unlink(slot_path[a->slot]);
        cli_errorf("cannot write '%s': %s", shown != NULL ? shown : "?", strerror(err));
        free(shown);
    } else {                            /* the rename itself survives a power cut */
        char dir[PATH_MAX];
        const char *slash = strrchr(a->path, '/');
        int dfd;
        snprintf(dir, sizeof dir, "%.*s", slash != NULL ? (int)(slash - a->path + 1) : 1,
                 slash != NULL ? a->path : ".");
        if ((dfd = open(dir, O_RDONLY | O_DIRECTORY)) >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    slot_live[a->slot] = 0;
    a->slot = -1;
    return err != 0 ? EXIT_INTERNAL : EXIT_OK;
}

/* ---- Standard output ---- */
static struct {
    FILE *stream;           /* what stdout is now */
    int fd;                 /* where its bytes go: 1, or the temporary file of --output */
    bool text;              /* escape as text for a terminal */
    bool tty;               /* fd 1 is a terminal and no --output */
    bool wide;              /* --wide */
    int error;              /* errno of the first write that failed, 0 */
    unsigned char pending[4];   /* a UTF-8 sequence the last write cut short */
    size_t npending;
    cli_atomic file;        /* --output */
    bool to_file;
    bool started;           /* a byte went out */
} out = { .fd = STDOUT_FILENO, .text = true, .file = { .slot = -1, .fd = -1 } };

static bool write_all(const char *p, size_t n)
{
    out.started = out.started || n > 0;
    while (n > 0 && out.error == 0) {
        ssize_t k = write(out.fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            out.error = k < 0 ? errno : EIO;
            return false;
        }
        p += k;
        n -= (size_t)k;
    }
    return out.error == 0;
}

/* Bytes at the end of buf[0..n) that start a UTF-8 sequence longer than what is there. */
static size_t cut_short(const unsigned char *buf, size_t n)
{
    for (size_t back = 1; back <= 3 && back <= n; back++) {
        unsigned char c = buf[n - back];
        if ((c & 0xC0) == 0x80)
            continue;                   /* a continuation byte: look further back */
        size_t want = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                    : (c & 0xF8) == 0xF0 ? 4 : 1;
        return want > back ? back : 0;
    }
    return 0;
}

/* Escape and write buf (after what was pending); keep a cut sequence for the next call unless
 * last. */
static bool write_text(const char *buf, size_t n, bool last)
{
    size_t total = out.npending + n, keep;
    unsigned char *all = malloc(total + 1);
    char *shown;
    bool ok;
    if (all == NULL) {
        out.error = ENOMEM;
        return false;
    }
    memcpy(all, out.pending, out.npending);
    memcpy(all + out.npending, buf, n);
    keep = last ? 0 : cut_short(all, total);
    shown = ap_text_escape_n((const char *)all, total - keep, AP_TEXT_LAYOUT);
    memcpy(out.pending, all + total - keep, keep);
    out.npending = keep;
    free(all);
    if (shown == NULL) {
        out.error = ENOMEM;
        return false;
    }
    ok = write_all(shown, strlen(shown));
    free(shown);
    return ok;
}

#define TEXT_SLICE ((size_t)1 << 16)

static ssize_t sink_write(void *cookie, const char *buf, size_t n)
{
    (void)cookie;
    if (out.error != 0)
        return 0;                       /* less than n: stdio marks the stream failed */
    if (!out.text)
        return write_all(buf, n) ? (ssize_t)n : 0;
    /* escaped a slice at a time: a 100 MB name printed whole (stdio hands it over in one call)
     * would otherwise be copied and escaped whole, several times its size */
    for (size_t at = 0, k; at < n; at += k) {
        k = n - at < TEXT_SLICE ? n - at : TEXT_SLICE;
        if (!write_text(buf + at, k, false))
            return 0;
    }
    return (ssize_t)n;
}

static int sink_close(void *cookie)
{
    (void)cookie;
    if (out.npending > 0)
        write_text("", 0, true);
    return out.error != 0 ? -1 : 0;
}

void cli_output_init(void)
{
    static const cookie_io_functions_t io = { .write = sink_write, .close = sink_close };
    static char buf[1 << 16];           /* glibc ignores the size of a buffer it is not given */
    FILE *f;
    /* past a file size limit a write fails (EFBIG) and is reported; the signal would kill us
     * without a word and leave a partial file */
    signal(SIGXFSZ, SIG_IGN);
    out.tty = isatty(STDOUT_FILENO);
    if ((f = fopencookie(NULL, "w", io)) == NULL)
        return;                         /* stdout stays as it is */
    setvbuf(f, buf, out.tty ? _IOLBF : _IOFBF, sizeof buf);
    out.stream = stdout = f;
}

void cli_output_text(bool text)
{
    if (out.stream == NULL || text == out.text)
        return;
    fflush(stdout);                     /* what was written so far keeps its mode */
    if (text == false && out.npending > 0)
        write_text("", 0, true);
    out.text = text;
}

int cli_output_to(const char *path)
{
    int rc;
    if (out.stream == NULL) {
        cli_errorf("--output: standard output cannot be redirected");
        return EXIT_INTERNAL;
    }
    fflush(stdout);
    if (out.to_file)
        cli_atomic_abort(&out.file);    /* the last --output wins */
    if ((rc = cli_atomic_open(&out.file, path)) != EXIT_OK) {
        out.to_file = false;
        out.fd = STDOUT_FILENO;
        return rc;
    }
    out.to_file = true;
    out.fd = out.file.fd;
    return EXIT_OK;
}

const char *cli_output_take(void)
{
    if (!out.to_file)
        return NULL;
    fflush(stdout);
    cli_atomic_abort(&out.file);
    out.to_file = false;
    out.fd = STDOUT_FILENO;
    return out.file.path;
}

bool cli_output_is_tty(void) { return out.tty && !out.to_file; }

void cli_output_wide(bool wide) { out.wide = wide; }

size_t cli_output_width(void)
{
    struct winsize ws;
    const char *env;
    long cols;
    char *end;
    if (out.wide || !cli_output_is_tty())
        return 0;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    env = getenv("COLUMNS");
    if (env != NULL && (cols = strtol(env, &end, 10)) > 0 && *end == '\0' && cols < 100000)
        return (size_t)cols;
    return 80;
}

int cli_output_finish(int rc)
{
    int failed = 0;
    if (out.stream == NULL) {
        if (fflush(stdout) != 0 || ferror(stdout))
            failed = errno != 0 ? errno : EIO;
    } else {
        if (fflush(stdout) != 0 && out.error == 0)
            out.error = EIO;
        if (out.npending > 0)
            write_text("", 0, true);
        failed = out.error;
    }
    if (failed != 0 && (rc == EXIT_OK || rc == EXIT_FINDINGS)) {
        cli_errorf("cannot write the output: %s", strerror(failed));
        rc = EXIT_INTERNAL;
    }
    if (out.to_file) {
        /* a finding exit (1) is an answer, written whole; usage and internal errors are not */
        if (rc == EXIT_OK || rc == EXIT_FINDINGS) {
            int crc = cli_atomic_commit(&out.file);
            if (crc != EXIT_OK)
                rc = crc;
        } else {
            cli_atomic_abort(&out.file);
        }
        out.to_file = false;
        out.fd = STDOUT_FILENO;
    }
    return rc;
}

bool cli_output_discard(void)
{
    if (out.stream == NULL || out.started || out.npending > 0)
        return false;
    __fpurge(stdout);
    return true;
}

/* ---- Score bars ---- */

bool cli_output_utf8(void)
{
    static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v == NULL || v[0] == '\0')
            continue;           /* POSIX: the first one set decides */
        return strcasestr(v, "UTF-8") != NULL || strcasestr(v, "utf8") != NULL;
    }
    return false;
}

/* Glyphs by sensitivity (public .. critical): shades of a block on UTF-8, else ASCII whose
 * ink grows with sensitivity. */
static const char *const bar_utf8[AP_SENS_COUNT] = {
    "\xe2\x96\x81", "\xe2\x96\x91", "\xe2\x96\x92", "\xe2\x96\x93", "\xe2\x96\x88"
};
static const char *const bar_ascii[AP_SENS_COUNT] = { ".", "-", "+", "=", "#" };

void cli_score_bar(char *buf, size_t size, const int64_t part[AP_SENS_COUNT], int64_t max,
                   unsigned width, bool utf8)
{
    const char *const *glyph = utf8 ? bar_utf8 : bar_ascii;
    int64_t sum = 0;
    unsigned drawn = 0;
    size_t used = 0;
    buf[0] = '\0';
    for (int s = AP_SENS_COUNT - 1; s >= 0 && max > 0; s--) {
        sum += part[s] > 0 ? part[s] : 0;
        /* the cells up to the rounded running sum: integer arithmetic, no drift */
        unsigned upto = (unsigned)((sum * (int64_t)width * 2 + max) / (max * 2));
        for (; drawn < upto && drawn < width; drawn++) {
            size_t n = strlen(glyph[s]);
            if (used + n + 1 > size)
                return;
            memcpy(buf + used, glyph[s], n + 1);
            used += n;
        }
    }
    for (int s = AP_SENS_COUNT - 1; s >= 0 && drawn == 0 && max > 0; s--)
        if (part[s] > 0 && strlen(glyph[s]) + 1 <= size) {
            strcpy(buf, glyph[s]);      /* above zero: never an empty bar */
            drawn = 1;
        }
}

void cli_score_bar_key(char *buf, size_t size, bool utf8)
{
    const char *const *glyph = utf8 ? bar_utf8 : bar_ascii;
    size_t used = 0;
    buf[0] = '\0';
    for (int s = AP_SENS_COUNT - 1; s >= 0; s--) {
        int n = snprintf(buf + used, size - used, "%s%s %s", s < AP_SENS_COUNT - 1 ? "  " : "",
                         glyph[s], ap_sensitivity_name((ap_sensitivity)s));
        if (n < 0 || (size_t)n >= size - used)
            return;
        used += (size_t)n;
    }
}
