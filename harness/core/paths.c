/* paths.c - finding the data h5swmr ships (see paths.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef H5SWMR_SOURCE_DIR
#define H5SWMR_SOURCE_DIR ""
#endif

/* Whether base/rel is a regular file; out gets its real path if so. */
static int try_at(const char *base, const char *rel, char *out, size_t cap, char *tried, size_t tcap)
{
    char p[PATH_MAX + 256];
    if (!base || !base[0] || (size_t)snprintf(p, sizeof p, "%s/%s", base, rel) >= sizeof p)
        return -1;
    struct stat st;
    char real[PATH_MAX];
    if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && realpath(p, real) && strlen(real) < cap) {
        snprintf(out, cap, "%s", real);
        return 0;
    }
    size_t len = strlen(tried);
    if (len < tcap)
        snprintf(tried + len, tcap - len, "%s%s", len ? ", " : "", p);
    return -1;
}

int h5s_data_path(const char *rel, char *out, size_t cap, char *tried, size_t tcap)
{
    if (tcap)
        tried[0] = '\0';
    if (try_at(getenv("H5SWMR_DATA_DIR"), rel, out, cap, tried, tcap) == 0)
        return 0;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        char share[PATH_MAX + 32];
        snprintf(share, sizeof share, "%s/../share/h5swmr", exe);
        if (try_at(share, rel, out, cap, tried, tcap) == 0)
            return 0;
    }
    return try_at(H5SWMR_SOURCE_DIR, rel, out, cap, tried, tcap);
}
