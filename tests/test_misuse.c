/* test_misuse.c - bad input and misuse of the real h5swmr program (issue 10):
 * nothing destroyed, nothing crashes, nothing hangs; one clear line and exit
 * 2 for what is refused. Real files, real processes, real signals. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mth5.h"
#include "testutil.h"

TestSuite(misuse, .init = tu_setup, .fini = tu_teardown, .timeout = 240);

static char g_out[16384];

/* Runs h5swmr with up to 31 arguments; returns its exit status (a crash fails the test). */
static int h5swmr(const char *a1, ...)
{
    const char *argv[32] = {H5SWMR_BIN};
    int n = 1;
    va_list ap;
    va_start(ap, a1);
    for (const char *a = a1; a && n < 31; a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    int status;
    g_out[0] = '\0';
    cr_assert_eq(tu_run(argv, 90000, &status, g_out, sizeof g_out), 0, "h5swmr %s did not finish in time: %s", a1,
                 g_out);
    cr_assert(WIFEXITED(status), "h5swmr %s: %s\n%s", a1, tu_status_str(status), g_out);
    return WEXITSTATUS(status);
}

/* The output is exactly one line, starting with "h5swmr". */
static void assert_one_line(void)
{
    size_t l = strlen(g_out);
    cr_assert(l > 0 && g_out[l - 1] == '\n', "no line: '%s'", g_out);
    cr_assert_eq(strchr(g_out, '\n'), g_out + l - 1, "more than one line:\n%s", g_out);
    cr_assert(!strncmp(g_out, "h5swmr", 6), "%s", g_out);
}

static const char *scenario(const char *name, const char *text)
{
    const char *p = tu_path(name);
    cr_assert_eq(tu_write_text(p, text), 0);
    return p;
}

static const char *kv(const char *key, const char *value)
{
    static char buf[8][1200];
    static int k;
    char *b = buf[k++ % 8];
    snprintf(b, sizeof buf[0], "%s=%s", key, value);
    return b;
}

/* ---- (5) a multi-job scenario with one data file ------------------------- */

Test(misuse, multi_job_scenario_with_one_file_is_refused_without_crash)
{
    const char *res = tu_path("results"), *file = tu_path("x.mth5");
    int rc = h5swmr("run", H5SWMR_SOURCE_DIR "/scenarios/sweep_quick.ini", "-o", kv("file", file), "-o",
                    kv("results_dir", res), NULL);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, g_out);
    assert_one_line();
    cr_assert(strstr(g_out, "same data file"), "%s", g_out);
    cr_assert(!tu_exists(file) && !tu_exists(res), "a refused run created files");
    const char *two = scenario("two.ini", "[global]\nreaders = 0\nmax_blocks = 2\nduration = 0\nrealtime = false\n"
                                          "[a]\nblock_samples = 100\n[b]\nblock_samples = 200\n");
    rc = h5swmr("write", two, "-o", kv("file", file), "-o", kv("results_dir", res), NULL);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, g_out);
    assert_one_line();
    cr_assert(strstr(g_out, "[a]") && strstr(g_out, "[b]"), "%s", g_out);
    cr_assert(!tu_exists(file) && !tu_exists(res), "a refused run created files");
}
