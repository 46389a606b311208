/* query/render/tempfile.c: the scratch file an answer or the findings' evidence is written to
 * before it is read back: in $TMPDIR (else /tmp), unlinked at once. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "authpath/render.h"

FILE *ap_temp_file(const char *tag, const char **where)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    int fd;
    FILE *f;
    if (dir == NULL || dir[0] == '\0')
        dir = "/tmp";
    if (where != NULL)
        *where = dir;
    if ((size_t)snprintf(path, sizeof path, "%s/authpath-%s-XXXXXX", dir, tag) >= sizeof path)
        return NULL;
    if ((fd = mkstemp(path)) < 0)
        return NULL;
    unlink(path);                       /* nothing left behind whatever befalls the process */
    if ((f = fdopen(fd, "w+b")) == NULL)
        close(fd);
    return f;
}
