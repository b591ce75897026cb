/* test_repro.c - h5swmr repro: the list, its refusals (nothing created), and
 * each reproducer written out, built with its BUILD line outside the source
 * tree and run against the system HDF5: on 1.10 it must reproduce (exit 1). */
#include <criterion/criterion.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

TestSuite(repro, .init = tu_setup, .fini = tu_teardown, .timeout = 120);

static const char *const names[] = {"h5orefresh-dense-links", "h5clear-s-loses-appends", "dflush-quadratic",
                                    "reader-open-race"};

/* Runs h5swmr repro with args: its exit status; its output into out. */
static int repro(const char *const *args, char *out, size_t cap)
{
    const char *argv[12] = {H5SWMR_BIN, "repro"};
    int n = 2, st = -1;
    for (; args[n - 2]; n++)
        argv[n] = args[n - 2];
    argv[n] = NULL;
    cr_assert_eq(tu_run(argv, 20000, &st, out, cap), 0, "h5swmr repro timed out");
    cr_assert(WIFEXITED(st), "h5swmr repro: %s", tu_status_str(st));
    return WEXITSTATUS(st);
}

/* How many entries directory dir holds. */
static int entries(const char *dir)
{
    char cmd[600], out[64] = "";
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    int st;
    tu_run(argv, 5000, &st, out, sizeof out);
    return atoi(out);
}

Test(repro, list_names_every_reproducer)
{
    char out[4096];
    const char *a[] = {"--list", NULL};
    cr_assert_eq(repro(a, out, sizeof out), 0, "%s", out);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        cr_assert(strstr(out, names[i]), "--list lacks %s: %s", names[i], out);
}

Test(repro, refusals_create_nothing)
{
    char out[4096], full[600], link[600], file[700], unk[600];
    snprintf(full, sizeof full, "%s", tu_path("full"));
    mkdir(full, 0755);
    snprintf(file, sizeof file, "%s/keep.txt", full);
    cr_assert_eq(tu_write_text(file, "mine\n"), 0);
    const char *a1[] = {"dflush-quadratic", "--out", full, NULL};
    cr_assert_eq(repro(a1, out, sizeof out), 2, "a non-empty directory: %s", out);
    cr_assert(strstr(out, "not empty"), "%s", out);
    cr_assert_eq(entries(full), 1);

    char empty[600];
    snprintf(empty, sizeof empty, "%s", tu_path("empty"));
    mkdir(empty, 0755);
    snprintf(link, sizeof link, "%s", tu_path("link"));
    cr_assert_eq(symlink(empty, link), 0);
    const char *a2[] = {"dflush-quadratic", "--out", link, NULL};
    cr_assert_eq(repro(a2, out, sizeof out), 2, "a symbolic link: %s", out);
    cr_assert(strstr(out, "symbolic link"), "%s", out);
    cr_assert_eq(entries(empty), 0);
    char slash[700];
    snprintf(slash, sizeof slash, "%s/", link); /* "link/" would resolve the link */
    const char *a7[] = {"--all", "--out", slash, NULL};
    cr_assert_eq(repro(a7, out, sizeof out), 2, "a symbolic link with a slash: %s", out);
    cr_assert_eq(entries(empty), 0);
    const char *a3[] = {"--all", "--out", file, NULL};
    cr_assert_eq(repro(a3, out, sizeof out), 2, "a regular file: %s", out);

    snprintf(unk, sizeof unk, "%s", tu_path("unknown"));
    const char *a4[] = {"no-such-defect", "--out", unk, NULL};
    cr_assert_eq(repro(a4, out, sizeof out), 2, "an unknown name: %s", out);
    cr_assert(strstr(out, "unknown reproducer"), "%s", out);
    cr_assert(!tu_exists(unk), "%s was created", unk);
    const char *a5[] = {"dflush-quadratic", NULL};
    cr_assert_eq(repro(a5, out, sizeof out), 2, "no --out: %s", out);

    /* an empty directory is used as it is */
    const char *a6[] = {"dflush-quadratic", "--out", empty, NULL};
    cr_assert_eq(repro(a6, out, sizeof out), 0, "%s", out);
    cr_assert_eq(entries(empty), 3);
}

/* Writes reproducer name with --all into a new directory, builds it there
 * with its BUILD line and runs it: asserts exit 1 on HDF5 1.10, 0 or 1 on
 * other versions. */
static void build_and_run(const char *name)
{
    char out[16384], dir[600], cmd[1400];
    snprintf(dir, sizeof dir, "%s", tu_path("r"));
    const char *a[] = {name, "--out", dir, NULL};
    cr_assert_eq(repro(a, out, sizeof out), 0, "%s", out);
    snprintf(cmd, sizeof cmd, "%s/%s.c", dir, name);
    cr_assert(tu_exists(cmd));
    snprintf(cmd, sizeof cmd, "%s/README.txt", dir);
    cr_assert(tu_exists(cmd));
    snprintf(cmd, sizeof cmd, "cd '%s' && sh BUILD", dir);
    const char *b[] = {"/bin/sh", "-c", cmd, NULL};
    int st = -1;
    cr_assert_eq(tu_run(b, 60000, &st, out, sizeof out), 0, "building %s timed out", name);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "building %s: %s: %s", name, tu_status_str(st), out);
    snprintf(cmd, sizeof cmd, "%s/%s", dir, name);
    const char *r[] = {cmd, NULL};
    cr_assert_eq(tu_run(r, 30000, &st, out, sizeof out), 0, "%s timed out", name);
    cr_assert(WIFEXITED(st), "%s: %s: %s", name, tu_status_str(st), out);
    if (H5_VERS_MAJOR == 1 && H5_VERS_MINOR == 10)
        cr_assert_eq(WEXITSTATUS(st), 1, "%s on HDF5 1.10 should reproduce (exit 1): %s: %s", name, tu_status_str(st),
                     out);
    else
        cr_assert(WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 1, "%s could not run: %s: %s", name, tu_status_str(st),
                  out);
}

Test(repro, h5orefresh_dense_links)
{
    build_and_run("h5orefresh-dense-links");
}

Test(repro, h5clear_s_loses_appends)
{
    build_and_run("h5clear-s-loses-appends");
}

Test(repro, dflush_quadratic)
{
    build_and_run("dflush-quadratic");
}

Test(repro, reader_open_race)
{
    build_and_run("reader-open-race");
}

Test(repro, swmr_reader_retry_hang)
{
    build_and_run("swmr-reader-retry-hang");
}

Test(repro, all_writes_each_into_its_folder)
{
    char out[4096], dir[600], p[800];
    snprintf(dir, sizeof dir, "%s", tu_path("all"));
    const char *a[] = {"--all", "--out", dir, NULL};
    cr_assert_eq(repro(a, out, sizeof out), 0, "%s", out);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s/BUILD", dir, names[i]);
        cr_assert(tu_exists(p), "%s missing", p);
    }
    cr_assert_eq(repro(a, out, sizeof out), 2, "a second --all into the same directory: %s", out);
}
