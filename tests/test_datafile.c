/* test_datafile.c - the data file a run writes is the one it made and no
 * other: overwrite=true never writes through a symbolic link nor replaces a
 * file another process has open; the finalizer refuses a file deleted or
 * replaced during the run (flushed data missing: exit 3); a full file system
 * is named as such and leaves nothing the run made. Real runs of the h5swmr
 * program on real files; a real tmpfs for the full disk. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "datafile.h"
#include "testutil.h"

TestSuite(datafile, .init = tu_setup, .fini = tu_teardown, .timeout = 120);

static char g_out[16384];

static int exit_of(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* "key=value" in one of 16 rotating buffers. */
static const char *kv(const char *key, const char *value)
{
    static char buf[16][1300];
    static int k;
    char *b = buf[k++ % 16];
    snprintf(b, sizeof buf[0], "%s=%s", key, value);
    return b;
}

/* The argv of 'h5swmr write append_fast.ini' on file with results under
 * results, a short flat-out run, plus up to 8 more -o settings. */
static void write_argv(const char *argv[40], const char *file, const char *results, const char *const *extra)
{
    int n = 0;
    argv[n++] = H5SWMR_BIN;
    argv[n++] = "write";
    argv[n++] = H5SWMR_SOURCE_DIR "/scenarios/append_fast.ini";
    const char *base[] = {kv("file", file), kv("results_dir", results), "duration=0",
                          "max_blocks=20",  "block_samples=1024",       "channels=ex,ey"};
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++) {
        argv[n++] = "-o";
        argv[n++] = base[i];
    }
    for (int i = 0; extra && extra[i] && n < 37; i++) {
        argv[n++] = "-o";
        argv[n++] = extra[i];
    }
    argv[n] = NULL;
}

/* Runs 'h5swmr write' as write_argv builds it; returns its exit code. */
static int write_run(const char *file, const char *results, const char *const *extra)
{
    const char *argv[40];
    write_argv(argv, file, results, extra);
    int st;
    cr_assert_eq(tu_run(argv, 60000, &st, g_out, sizeof g_out), 0, "h5swmr hung: %s", g_out);
    return exit_of(st);
}

/* Entries of dir other than . and .. (-1 when it cannot be read). */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

/* ---- item 1: symbolic links ---------------------------------------------- */

Test(datafile, overwrite_never_writes_through_a_symbolic_link_in_any_writer_mode)
{
    static const char *const modes[] = {"swmr", "noswmr", "bare", "raw"};
    const char *target = tu_path("target.txt"), *link = tu_path("link.mth5"), *res = tu_path("results");
    const char *dangling = tu_path("dangling.mth5");
    static const char text[] = "a user's notes, not data\n";
    cr_assert_eq(tu_write_text(target, text), 0);
    cr_assert_eq(symlink("target.txt", link), 0);
    cr_assert_eq(symlink("nothing-here.mth5", dangling), 0);
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        const char *extra[] = {"overwrite=true", kv("writer_mode", modes[i]), "summary_upkeep=false", NULL};
        int rc = write_run(link, res, extra);
        cr_assert_eq(rc, 2, "writer_mode %s: a link was written through (exit %d):\n%s", modes[i], rc, g_out);
        cr_assert(strstr(g_out, "symbolic link"), "writer_mode %s: %s", modes[i], g_out);
        cr_assert(tu_file_equals(target, (const unsigned char *)text, strlen(text)),
                  "writer_mode %s: the link's target was changed", modes[i]);
        rc = write_run(dangling, res, extra);
        cr_assert_eq(rc, 2, "writer_mode %s, dangling link: exit %d:\n%s", modes[i], rc, g_out);
        cr_assert(!tu_exists(tu_path("nothing-here.mth5")), "writer_mode %s: a file was created through a link",
                  modes[i]);
    }
    struct stat st;
    cr_assert(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "the link itself was replaced");
    cr_assert(!tu_exists(res), "a refused run created its results directory");
}

/* ---- item 2: a file another process has open ----------------------------- */

Test(datafile, overwrite_refuses_a_file_another_process_has_open)
{
    const char *file = tu_path("held.mth5"), *res = tu_path("results");
    static const char text[] = "held open by another process\n";
    cr_assert_eq(tu_write_text(file, text), 0);
    /* a plain reader: no lock, no HDF5, just an open descriptor (this process) */
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    cr_assert_geq(fd, 0);
    const char *extra[] = {"overwrite=true", NULL};
    int rc = write_run(file, res, extra);
    cr_assert_eq(rc, 2, "a file another process has open was replaced (exit %d):\n%s", rc, g_out);
    cr_assert(strstr(g_out, "another process has it open"), "%s", g_out);
    cr_assert(tu_file_equals(file, (const unsigned char *)text, strlen(text)), "the file was changed");
    cr_assert(!tu_exists(res), "a refused run created its results directory");
    /* once it is closed, overwrite=true replaces it */
    close(fd);
    rc = write_run(file, res, extra);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, g_out);
    cr_assert(!tu_file_equals(file, (const unsigned char *)text, strlen(text)), "the file was not replaced");
}

/* ---- item 3: the file the finalizer works on ----------------------------- */

/* Starts a paced writer on file (a flushed block every 10 ms for half a second)
 * and waits until it says a block was flushed. */
static void start_paced(tu_proc_t *p, const char *file, const char *const *extra)
{
    const char *argv[40];
    const char *more[12] = {"realtime=true", "sample_rate=1000",     "block_samples=10",
                            "duration=0.5",  "flush_every_blocks=1", "max_blocks=0"};
    int n = 6;
    for (int i = 0; extra && extra[i] && n < 11; i++)
        more[n++] = extra[i];
    more[n] = NULL;
    write_argv(argv, file, tu_path("results"), more);
    cr_assert_eq(tu_spawn(p, argv), 0);
    cr_assert_eq(tu_proc_wait_output(p, ", flushed", 30000), 0, "no block was flushed:\n%s", p->buf);
}

Test(datafile, a_data_file_deleted_during_the_run_is_flushed_data_missing_and_never_recreated)
{
    /* with the finalizer (swmr), and without one (the raw baseline: the run checks at its end) */
    static const char *const modes[] = {"writer_mode=swmr", "writer_mode=raw"};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        const char *file = tu_path(i ? "gone.raw" : "gone.mth5");
        const char *extra[] = {modes[i], NULL};
        tu_proc_t p;
        start_paced(&p, file, extra);
        cr_assert_eq(unlink(file), 0);
        int st;
        cr_assert_eq(tu_proc_finish(&p, 60000, &st), 0);
        cr_assert_eq(exit_of(st), 3, "%s: flushed samples vanished, yet exit %d:\n%s", modes[i], exit_of(st), p.buf);
        cr_assert(strstr(p.buf, "deleted during the run"), "%s: %s", modes[i], p.buf);
        cr_assert(!tu_exists(file), "%s: a new file was created in place of the deleted one:\n%s", modes[i], p.buf);
    }
}

Test(datafile, a_file_renamed_over_the_data_file_during_the_run_is_left_alone)
{
    /* another MTH5 file, made by an earlier run: the kind a finalizer could rewrite */
    const char *other = tu_path("other.mth5"), *file = tu_path("data.mth5");
    cr_assert_eq(write_run(other, tu_path("results-other"), NULL), 0, "%s", g_out);
    unsigned char *before;
    size_t nbefore;
    cr_assert_eq(tu_read_file(other, &before, &nbefore), 0);
    /* the writer crashes after the rename, so its run would also h5clear what it finds */
    const char *extra[] = {"kill_writer_after_ms=250", NULL};
    tu_proc_t p;
    start_paced(&p, file, extra);
    cr_assert_eq(rename(other, file), 0);
    int st;
    cr_assert_eq(tu_proc_finish(&p, 60000, &st), 0);
    cr_assert_eq(exit_of(st), 3, "the run's flushed samples are gone, yet exit %d:\n%s", exit_of(st), p.buf);
    cr_assert(strstr(p.buf, "replaced during the run"), "%s", p.buf);
    cr_assert(tu_file_equals(file, before, nbefore), "the finalizer changed a file its writer never held:\n%s", p.buf);
    free(before);
}

/* ---- item 7: a full file system ------------------------------------------ */

static char g_mnt[1200];

/* Unmounts the test's tmpfs (whatever the test's outcome), then the suite's teardown. */
static void unmount_fini(void)
{
    if (g_mnt[0])
        umount2(g_mnt, MNT_DETACH);
    g_mnt[0] = '\0';
    tu_teardown();
}

Test(datafile, a_full_file_system_is_named_and_the_run_leaves_nothing_there, .fini = unmount_fini)
{
    snprintf(g_mnt, sizeof g_mnt, "%s", tu_path("full"));
    cr_assert_eq(mkdir(g_mnt, 0755), 0);
    if (mount("tmpfs", g_mnt, "tmpfs", 0, "size=4m") != 0) {
        int e = errno;
        g_mnt[0] = '\0';
        cr_skip_test("cannot mount a tmpfs to fill (%s): needs root or CAP_SYS_ADMIN", strerror(e));
    }
    /* fill it to the last block */
    char filler[1300];
    snprintf(filler, sizeof filler, "%s/filler", g_mnt);
    int fd = open(filler, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    cr_assert_geq(fd, 0);
    static char block[65536];
    while (write(fd, block, sizeof block) > 0)
        ;
    while (write(fd, block, 1) > 0)
        ;
    close(fd);
    const char *file = tu_path("full/data.mth5");
    int rc = write_run(file, g_mnt, NULL);
    cr_assert_eq(rc, 1, "exit %d:\n%s", rc, g_out);
    cr_assert(strcasestr(g_out, "no space left on device"), "%s", g_out);
    cr_assert(!strstr(g_out, "another process"), "a full disk blamed on another process:\n%s", g_out);
    cr_assert_eq(entries(g_mnt), 1, "the run left files on the full file system:\n%s", g_out);
}

/* ---- the checks the writer itself makes (after the command's preflight) --- */

/* A helper process that opens path read-only, says so, and holds it until
 * the test closes its pipe. */
static int hold_open(void *arg, int in_fd, int out_fd)
{
    int fd = open((const char *)arg, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || tu_send(out_fd, 'o') != 0)
        return 1;
    char c;
    tu_recv(in_fd, &c, 60000);
    close(fd);
    return 0;
}

Test(datafile, the_writers_own_checks_hold_whatever_the_command_checked_before)
{
    h5s_err_t err;
    h5s_df_id_t id;
    const char *target = tu_path("t.txt"), *link = tu_path("l.mth5"), *dang = tu_path("d.mth5");
    cr_assert_eq(tu_write_text(target, "mine\n"), 0);
    cr_assert_eq(symlink("t.txt", link), 0);
    cr_assert_eq(symlink("none.mth5", dang), 0);
    /* a link put in place after the preflight: neither removed nor created through */
    cr_assert_eq(h5s_df_remove_for_overwrite(link, &err), H5S_EEXIST, "%s", err.msg);
    cr_assert(strstr(err.msg, "symbolic link"), "%s", err.msg);
    cr_assert_eq(h5s_df_create(dang, &id, &err), H5S_EEXIST);
    cr_assert(!tu_exists(tu_path("none.mth5")), "a file was created through a dangling link");
    cr_assert(tu_file_equals(target, (const unsigned char *)"mine\n", 5));
    /* a file another process opened after the preflight */
    const char *held = tu_path("h.mth5");
    cr_assert_eq(tu_write_text(held, "held\n"), 0);
    tu_child_t c;
    char b;
    cr_assert_eq(tu_child_start(&c, hold_open, (void *)held), 0);
    cr_assert_eq(tu_recv(c.from, &b, TU_TIMEOUT_MS), 1);
    cr_assert_eq(h5s_df_remove_for_overwrite(held, &err), H5S_EEXIST, "a held file was removed");
    cr_assert(strstr(err.msg, "another process has it open"), "%s", err.msg);
    int st;
    cr_assert_eq(tu_child_finish(&c, TU_TIMEOUT_MS, &st), 0);
    cr_assert_eq(h5s_df_remove_for_overwrite(held, &err), 0, "%s", err.msg);
    cr_assert(!tu_exists(held));
    /* the file created is known by its identity: another one renamed over its
     * path, or its deletion, is told apart and nothing is created or removed */
    const char *f = tu_path("f.mth5"), *other = tu_path("o.mth5");
    int fd = h5s_df_create(f, &id, &err);
    cr_assert_geq(fd, 0, "%s", err.msg);
    close(fd);
    fd = h5s_df_open_same(f, &id, O_RDONLY, &err);
    cr_assert_geq(fd, 0, "%s", err.msg);
    close(fd);
    cr_assert_eq(tu_write_text(other, "another file\n"), 0);
    cr_assert_eq(rename(other, f), 0);
    cr_assert_eq(h5s_df_open_same(f, &id, O_RDWR, &err), H5S_EEXIST);
    cr_assert(strstr(err.msg, "replaced during the run"), "%s", err.msg);
    cr_assert_eq(h5s_df_remove_if_same(f, &id), 0);
    cr_assert(tu_file_equals(f, (const unsigned char *)"another file\n", 13), "the replacement was touched");
    cr_assert_eq(unlink(f), 0);
    cr_assert_eq(h5s_df_open_same(f, &id, O_RDWR | O_CREAT, &err), H5S_ENOENT);
    cr_assert(strstr(err.msg, "deleted during the run"), "%s", err.msg);
    cr_assert(!tu_exists(f), "opening the writer's file by its identity created one");
}
