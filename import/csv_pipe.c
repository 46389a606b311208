/* import/csv_pipe.c: the CSV reader's second thread. It splits the text after the header into
 * rows and cells and hands them over in batches; the first thread checks and stages each row in
 * order with the same place it would have found alone. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "csv_internal.h"

enum { PIPE_ROWS = 1024, PIPE_BATCHES = 8 };

typedef struct {
    size_t rec_off, buf_off, cell_off, ncells;
    unsigned rec_line;
} piped_row;

typedef struct {
    piped_row rows[PIPE_ROWS];
    size_t nrows;
    cell *cells;                /* every row's cells, then its text, one after another */
    size_t ncells, cells_cap;
    char *bytes;
    size_t nbytes, bytes_cap;
    int last;                   /* the parser's last batch: c (below) says how it ended */
} batch;

typedef struct csv_pipe {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    batch b[PIPE_BATCHES];
    size_t head, tail;          /* batches published, and consumed */
    int stop;                   /* the checker gave up: the parser stops at its next row */
    int failed;                 /* the parser's own memory ran out (rows so far are good) */
    /* the parser's state */
    csv_reader pr;
    struct csv_parser *parser;
    cursor c;
} csv_pipe;

/* Hand the batch being filled to the checker and wait for the next free one; 0 when the
 * checker has stopped. */
static int pipe_publish(csv_pipe *p, int last)
{
    int going;
    pthread_mutex_lock(&p->mu);
    p->b[p->head % PIPE_BATCHES].last = last;
    p->head++;
    pthread_cond_broadcast(&p->cv);
    while (!p->stop && p->head - p->tail == PIPE_BATCHES)
        pthread_cond_wait(&p->cv, &p->mu);
    going = !p->stop;
    p->b[p->head % PIPE_BATCHES].nrows = 0;     /* the checker is done with it */
    p->b[p->head % PIPE_BATCHES].ncells = 0;
    p->b[p->head % PIPE_BATCHES].nbytes = 0;
    pthread_mutex_unlock(&p->mu);
    return going;
}

static int pipe_stopped(csv_pipe *p)
{
    int stop;
    pthread_mutex_lock(&p->mu);
    stop = p->stop;
    pthread_mutex_unlock(&p->mu);
    return stop;
}

static int grow_to(void **arr, size_t *cap, size_t need, size_t size)
{
    size_t n = *cap ? *cap : 64;
    void *q;
    if (need <= *cap)
        return 0;
    while (n < need)
        n *= 2;
    if ((q = realloc(*arr, n * size)) == NULL)
        return -1;
    *arr = q;
    *cap = n;
    return 0;
}

/* on_row in the parsing thread: the row's place, cells and text into the batch being filled. */
void ap_csv__pipe_row(csv_reader *r)
{
    csv_pipe *p = r->pipe;
    batch *b = &p->b[p->head % PIPE_BATCHES];
    piped_row *row = &b->rows[b->nrows];
    if (grow_to((void **)&b->cells, &b->cells_cap, b->ncells + r->ncells, sizeof *b->cells) < 0
        || grow_to((void **)&b->bytes, &b->bytes_cap, b->nbytes + r->used, 1) < 0) {
        r->rc = AP_ENOMEM;
        return;
    }
    row->rec_off = r->rec_off;
    row->rec_line = r->rec_line;
    row->cell_off = b->ncells;
    row->ncells = r->ncells;
    row->buf_off = b->nbytes;
    memcpy(b->cells + b->ncells, r->cells, r->ncells * sizeof *r->cells);
    memcpy(b->bytes + b->nbytes, r->buf, r->used);
    b->ncells += r->ncells;
    b->nbytes += r->used;
    if (++b->nrows == PIPE_ROWS && !pipe_publish(p, 0))
        r->rc = AP_ENOMEM;      /* not reported: it only stops the parser */
}

static void *pipe_parse(void *arg)
{
    csv_pipe *p = arg;
    ap_csv__parse_lines(&p->pr, p->parser, &p->c, 0);
    ap_csv__parse_end(&p->pr, p->parser, &p->c);
    if (!pipe_stopped(p)) {
        p->failed = p->pr.rc != AP_OK;  /* read by the checker after the last batch */
        pipe_publish(p, 1);
    }
    return NULL;
}

/* The edge ends of rows [from, from + AP_CSV_HINT_ROWS) of b, fetched one group ahead of the
 * rows being staged (csv_fast.c). */
static void hint_rows(const csv_reader *r, const batch *b, size_t from)
{
    const char *bufs[AP_CSV_HINT_ROWS];
    const cell *cells[AP_CSV_HINT_ROWS];
    size_t ncells[AP_CSV_HINT_ROWS], n = 0;
    for (size_t i = from; i < b->nrows && n < AP_CSV_HINT_ROWS; i++, n++) {
        bufs[n] = b->bytes + b->rows[i].buf_off;
        cells[n] = b->cells + b->rows[i].cell_off;
        ncells[n] = b->rows[i].ncells;
    }
    if (n > 0)
        ap_csv__fast_hint(r, bufs, cells, ncells, n);
}

/* Check and stage every row the parsing thread sends, in order; the checker's r holds each
 * row in turn, so errors are located as when one thread reads. */
static void pipe_check(csv_reader *r, csv_pipe *p)
{
    char *own_buf = r->buf;
    cell *own_cells = r->cells;
    int last = 0;
    while (!last && r->rc == AP_OK) {
        batch *b;
        pthread_mutex_lock(&p->mu);
        while (p->tail == p->head)
            pthread_cond_wait(&p->cv, &p->mu);
        pthread_mutex_unlock(&p->mu);
        b = &p->b[p->tail % PIPE_BATCHES];
        if (r->fast && r->kind == FILE_EDGES)
            hint_rows(r, b, 0);
        for (size_t i = 0; i < b->nrows && r->rc == AP_OK; i++) {
            piped_row *row = &b->rows[i];
            if (r->fast && r->kind == FILE_EDGES && i % AP_CSV_HINT_ROWS == 0)
                hint_rows(r, b, i + AP_CSV_HINT_ROWS);
            r->rec_off = row->rec_off;
            r->rec_line = row->rec_line;
            r->buf = b->bytes + row->buf_off;
            r->cells = b->cells + row->cell_off;
            r->ncells = row->ncells;
            ap_csv__read_row(r);
            r->row++;
        }
        last = b->last;
        pthread_mutex_lock(&p->mu);
        p->tail++;
        if (r->rc != AP_OK)
            p->stop = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    r->buf = own_buf;
    r->cells = own_cells;
    r->ncells = 0;
    if (last && r->rc == AP_OK) {
        if (p->failed)
            r->rc = ap_error_nomem(r->err);
        else
            ap_csv__report_stop(r, &p->c);
    }
}

/* Read the rows after the header through the pipe; r->rc says how it went. */
void ap_csv__read_piped(csv_reader *r, struct csv_parser *parser, const cursor *c)
{
    csv_pipe *p = calloc(1, sizeof *p);
    pthread_t thread;
    if (p == NULL) {
        r->rc = ap_error_nomem(r->err);
        return;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->pr = *r;                 /* text, header, places; its own row buffers */
    p->pr.buf = NULL;
    p->pr.cells = NULL;
    p->pr.used = p->pr.size = p->pr.ncells = p->pr.cap = 0;
    p->pr.err = NULL;
    p->pr.ctx = NULL;
    p->pr.pipe = p;
    p->pr.obj = NULL;
    p->pr.colval = NULL;
    p->parser = parser;
    p->c = *c;
    if (pthread_create(&thread, NULL, pipe_parse, p) != 0) {
        r->rc = ap_error_nomem(r->err);
    } else {
        pipe_check(r, p);
        pthread_mutex_lock(&p->mu);
        p->stop = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        pthread_join(thread, NULL);
    }
    for (size_t i = 0; i < PIPE_BATCHES; i++) {
        free(p->b[i].cells);
        free(p->b[i].bytes);
    }
    free(p->pr.buf);
    free(p->pr.cells);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
