/* cli/diagram_out.c: writing a diagram to stdout in the chosen format. PNG and PDF are bytes:
 * they are refused on a terminal, with a hint to redirect them into a file. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

bool cli_is_diagram_format(const char *format)
{
    return strcmp(format, "dot") == 0 || strcmp(format, "svg") == 0
           || strcmp(format, "png") == 0 || strcmp(format, "pdf") == 0;
}

int cli_binary_ok(const char *format)
{
    if ((strcmp(format, "png") == 0 || strcmp(format, "pdf") == 0) && cli_output_is_tty()) {
        cli_errorf("refusing to write %s to a terminal; redirect it into a file, e.g. "
                   "> diagram.%s", strcmp(format, "png") == 0 ? "PNG" : "PDF", format);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int cli_write_diagram(const ap_graph *g, const ap_diagram *d, const char *format)
{
    char *data = NULL;
    size_t len = 0;
    ap_diagram *page = NULL;
    ap_error err;
    int rc = ap_diagram_fit_svg(&page, strcmp(format, "svg") == 0 ? &data : NULL, &len, g, d,
                                &err);
    if (rc < 0)
        return cli_fail(&err, NULL);
    if (data == NULL)           /* fitting drew it already when it was SVG that fitted */
        rc = ap_diagram_render(&data, &len, g, page, format, &err);
    ap_diagram_free(page);
    if (rc < 0)
        return cli_fail(&err, NULL);
    size_t wrote = fwrite(data, 1, len, stdout);
    free(data);
    if (wrote != len) {
        cli_errorf("cannot write the output");
        return EXIT_INTERNAL;
    }
    return EXIT_OK;
}
