/* main.c - the h5swmr command-line program. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "mth5.h"
#include "orch.h"
#include "report.h"
#include "scenario.h"
#include "util.h"

#define MAX_OVERRIDES 256

/* The command table: the usage text and the dispatch come from it. */
static const cli_cmd_t *const commands[] = {
    &cmd_run_def,   &cmd_write_def,  &cmd_watch_def,     &cmd_summary_def, &cmd_finalize_def, &cmd_check_def,
    &cmd_sweep_def, &cmd_stress_def, &cmd_flushcost_def, &cmd_plot_def,    &cmd_gate_def,     NULL,
};

static void usage(FILE *out)
{
    fprintf(out, "Usage: h5swmr COMMAND [ARGS]\n"
                 "\n"
                 "Drives HDF5 single-writer/multiple-reader (SWMR) mode with real processes on\n"
                 "real MTH5 files, and reports what readers see.\n"
                 "\n"
                 "Commands:\n");
    for (size_t i = 0; commands[i]; i++)
        fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out, "\n"
                 "Options:\n"
                 "  -h, --help      this help ('h5swmr COMMAND --help' for a command's; 'h5swmr run --help'\n"
                 "                  lists every scenario key)\n"
                 "  -V, --version   h5swmr and HDF5 versions\n"
                 "\n"
                 "Exit status: 0 ok, 1 failure, 2 bad input, 3 readers saw wrong or missing data,\n"
                 "4 timed out, 130 interrupted.\n");
}

static void version(void)
{
    unsigned maj, min, rel;
    H5get_libversion(&maj, &min, &rel);
    printf("h5swmr %s\nHDF5 %u.%u.%u (built against %d.%d.%d)\n", H5SWMR_VERSION, maj, min, rel, H5_VERS_MAJOR,
           H5_VERS_MINOR, H5_VERS_RELEASE);
}

/* One line on stderr, the exit status returned. Control characters of what
 * the message echoes (a path with a newline) are shown as '?', so that the
 * message stays one line. */
static int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int code, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    for (unsigned char *p = (unsigned char *)buf; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            *p = '?';
    return h5s_cli_fail(NULL, code, "%s", buf);
}

static bool has_control_char(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return true;
    return false;
}

/* The name of a kernel file system that holds no data files (/proc, /sys,
 * ...), or NULL. */
static const char *pseudo_fs(const char *path)
{
    static const struct {
        unsigned long magic;
        const char *name;
    } fs[] = {
        {0x9fa0, "procfs (/proc)"}, {0x62656572, "sysfs (/sys)"}, {0x1cd1, "devpts"},       {0x27e0eb, "cgroupfs"},
        {0x63677270, "cgroup2fs"},  {0x64626720, "debugfs"},      {0x74726163, "tracefs"},  {0x73636673, "securityfs"},
        {0xcafe4a11, "bpffs"},      {0x6165676c, "pstorefs"},     {0xde5e81e4, "efivarfs"}, {0x62656570, "configfs"},
        {0xf97cff8c, "selinuxfs"},  {0x65735543, "fusectl"},      {0x19800202, "mqueue"},   {0x6e736673, "nsfs"},
    };
    struct statfs sf;
    if (statfs(path, &sf) != 0)
        return NULL;
    for (size_t i = 0; i < sizeof fs / sizeof *fs; i++)
        if ((unsigned long)sf.f_type == fs[i].magic)
            return fs[i].name;
    return NULL;
}

static const char *file_kind(mode_t m)
{
    return S_ISFIFO(m)   ? "a FIFO"
           : S_ISCHR(m)  ? "a character device"
           : S_ISBLK(m)  ? "a block device"
           : S_ISSOCK(m) ? "a socket"
           : S_ISDIR(m)  ? "a directory"
                         : "not a regular file";
}

/* Is an existing regular file in use? Another process holds HDF5's file lock
 * (a writer, or a reader without SWMR), or the superblock says a writer has
 * it open (an SWMR writer holds no lock; a writer that died leaves the flag).
 * Returns NULL or why, without HDF5 (the orchestrator does not load it). */
static const char *in_use(const char *path)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return NULL; /* the writer reports what it cannot open */
    const char *why = NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return "it is not a regular file";
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            why = "another process has it open (an HDF5 writer, or a reader without SWMR, holds its lock)";
    } else {
        flock(fd, LOCK_UN);
    }
    /* the superblock: at 0 or after a user block (512, 1024, ... bytes) */
    static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    for (off_t off = 0; !why && off + 12 <= st.st_size && off <= (1 << 20); off = off ? off * 2 : 512) {
        unsigned char b[12];
        if (pread(fd, b, sizeof b, off) != (ssize_t)sizeof b)
            break;
        if (memcmp(b, sig, 8) != 0)
            continue;
        /* versions 2 and 3 keep the file consistency flags in byte 11: bit 0
         * a writer has it open, bit 2 an SWMR writer has it open */
        if (b[8] >= 2 && (b[11] & 0x05))
            why = "its superblock says a writer has it open (a live writer, or one that died with it open: "
                  "'h5clear -s --increment=0 FILE' clears that once no process has it open)";
        break;
    }
    close(fd);
    return why;
}

/* The exit status of a failed mth5_open: the file was refused before anything
 * was read or changed (missing, not HDF5 or MTH5, wrong format, in use), which
 * is bad input in every command; only running out of memory is a failure. */
static int open_exit(int code)
{
    return code == H5S_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
}

/* Refuses, before anything is created, a data file path that h5swmr must not
 * write: only an absent file (in a directory) or an existing regular file
 * (with overwrite=true, not in use) is accepted. */
static int preflight(const scn_t *s)
{
    struct stat st;
    const char *f = s->file;
    if (!f[0])
        return 0;
    if (has_control_char(f))
        return fail(EXIT_USAGE, "data file '%s': the path contains a control character", f);
    if (lstat(f, &st) == 0) {
        if (S_ISLNK(st.st_mode) && stat(f, &st) != 0)
            return fail(EXIT_USAGE,
                        errno == ENOENT ? "data file '%s' is a symbolic link to nothing (a dangling link); "
                                          "h5swmr does not create files through it"
                                        : "data file '%s': %s",
                        f, strerror(errno));
        if (!S_ISREG(st.st_mode))
            return fail(EXIT_USAGE, "data file '%s' is %s; h5swmr writes data files only as regular files", f,
                        file_kind(st.st_mode));
        const char *pfs = pseudo_fs(f);
        if (pfs)
            return fail(EXIT_USAGE, "data file '%s' is on %s, not a file system for data", f, pfs);
        if (!s->overwrite)
            return fail(EXIT_USAGE,
                        "data file '%s' exists; h5swmr never overwrites it unless asked (-o overwrite=true)", f);
        const char *why = in_use(f);
        if (why)
            return fail(EXIT_USAGE, "data file '%s' is in use, so it is not replaced: %s", f, why);
        return 0;
    }
    if (errno != ENOENT)
        return fail(EXIT_USAGE, "data file '%s': %s", f, strerror(errno));
    char dir[SCN_PATH];
    h5s_parent_dir(f, dir, sizeof dir);
    if (stat(dir, &st) != 0)
        return fail(EXIT_USAGE, "data file '%s': directory '%s': %s", f, dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return fail(EXIT_USAGE, "data file '%s': '%s' is not a directory", f, dir);
    const char *pfs = pseudo_fs(dir);
    if (pfs)
        return fail(EXIT_USAGE, "data file '%s' would be on %s, not a file system for data", f, pfs);
    if (access(dir, W_OK) != 0)
        return fail(EXIT_USAGE, "data file '%s': directory '%s' is not writable", f, dir);
    return 0;
}

static int parse_overrides(int argc, char **argv, int start, const char **scenario, const char **ov, size_t *nov,
                           bool *help)
{
    *scenario = NULL;
    *nov = 0;
    for (int i = start; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            *help = true;
        } else if (!strcmp(argv[i], "-o")) {
            if (i + 1 >= argc)
                return fail(EXIT_USAGE, "-o needs KEY=VALUE");
            if (*nov == MAX_OVERRIDES)
                return fail(EXIT_USAGE, "too many -o options");
            ov[(*nov)++] = argv[++i];
        } else if (!strncmp(argv[i], "-o", 2)) {
            if (*nov == MAX_OVERRIDES)
                return fail(EXIT_USAGE, "too many -o options");
            ov[(*nov)++] = argv[i] + 2;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return fail(EXIT_USAGE, "unknown option '%s'", argv[i]);
        } else if (!*scenario) {
            *scenario = argv[i];
        } else {
            return fail(EXIT_USAGE, "unexpected argument '%s' (one scenario file per run)", argv[i]);
        }
    }
    return 0;
}

static int cmd_run(int argc, char **argv, bool writer_only)
{
    const char *scenario, *ov[MAX_OVERRIDES + 1];
    size_t nov;
    bool help = false;
    int rc = parse_overrides(argc, argv, 2, &scenario, ov, &nov, &help);
    if (rc)
        return rc;
    if (help) {
        printf("Usage: h5swmr %s SCENARIO [-o KEY=VALUE]...\n\n", writer_only ? "write" : "run");
        scn_print_help(stdout);
        return 0;
    }
    if (!scenario)
        return fail(EXIT_USAGE, "%s: no scenario file given (try scenarios/mth5_concurrent.ini)", argv[1]);
    if (writer_only)
        ov[nov++] = "readers=0";
    scn_file_t sf;
    h5s_err_t err;
    if (scn_load(scenario, ov, nov, &sf, &err) < 0)
        return fail(EXIT_USAGE, "%s", err.msg);
    for (size_t j = 0; j < sf.njobs; j++)
        if ((rc = preflight(&sf.jobs[j])) != 0) {
            scn_file_free(&sf);
            return rc;
        }
    /* Jobs run in turn: a second job on the same data file would replace what
     * the first one made (and its results), so one file serves one job. */
    for (size_t j = 0; j < sf.njobs; j++)
        if (sf.jobs[j].file[0])
            for (size_t k = j + 1; k < sf.njobs; k++)
                if (!strcmp(sf.jobs[j].file, sf.jobs[k].file)) {
                    rc = fail(EXIT_USAGE,
                              "jobs [%s] and [%s] name the same data file '%s' (each job writes its own file: "
                              "set file per job, or leave it unset for one in each run's results directory)",
                              sf.jobs[j].name, sf.jobs[k].name, sf.jobs[j].file);
                    scn_file_free(&sf);
                    return rc;
                }

    orch_report_t *rep = malloc(sizeof *rep);
    if (!rep)
        return scn_file_free(&sf), fail(EXIT_FAIL, "out of memory");
    int worst = 0;
    for (size_t j = 0; j < sf.njobs; j++) {
        scn_t *s = &sf.jobs[j];
        char base[2 * SCN_STR + 2], dir[SCN_PATH + 64], file[SCN_PATH + 80], json[SCN_PATH + 100];
        if (sf.njobs > 1)
            snprintf(base, sizeof base, "%s-%s", s->scenario, s->name);
        else
            snprintf(base, sizeof base, "%s", s->scenario);
        if (h5s_make_unique_dir(s->results_dir, base, dir, sizeof dir) != 0) {
            worst =
                fail(EXIT_USAGE, "cannot create a results directory under '%s': %s", s->results_dir, strerror(errno));
            break;
        }
        if (s->file[0])
            snprintf(file, sizeof file, "%s", s->file);
        else
            snprintf(file, sizeof file, "%s/%s", dir,
                     s->writer_mode == SCN_MODE_RAW    ? "data.raw"
                     : s->writer_mode == SCN_MODE_BARE ? "data.h5"
                                                       : "data.mth5");
        printf("======================================================================\n");
        printf("h5swmr %s: %s [%s]: 1 writer (%s), %lld reader%s, %s\n", writer_only ? "write" : "run", s->scenario,
               s->name, s->workload == SCN_STRUCTURE ? "structure" : "append", (long long)s->readers,
               s->readers == 1 ? "" : "s", s->duration_s > 0 ? "timed" : "until Ctrl-C or max_blocks");
        printf("file: %s\n", file);
        if (writer_only)
            printf("attach readers from other terminals once the writer says so: h5swmr watch %s\n", file);
        printf("======================================================================\n");
        fflush(stdout);
        if (orch_run(s, file, dir, rep, &err) < 0) {
            fail(EXIT_FAIL, "%s", err.msg);
            worst = EXIT_FAIL;
            break;
        }
        report_print(stdout, rep);
        snprintf(json, sizeof json, "%s/summary.json", dir);
        if (report_write_json(json, rep, dir, &err) < 0)
            fail(EXIT_FAIL, "%s", err.msg);
        else
            printf("results: %s\n", json);
        fflush(stdout);
        if (rep->exit_code && (!worst || rep->exit_code == EXIT_VERIFY))
            worst = rep->exit_code;
        if (rep->interrupted)
            break;
    }
    free(rep);
    scn_file_free(&sf);
    return worst;
}

/* ---- watch -------------------------------------------------------------- */

typedef struct wch {
    mth5_channel_t *ch;
    uint64_t len;
} wch_t;

static int cmd_watch(int argc, char **argv)
{
    const char *file = NULL;
    const char *names[256];
    int nnames = 0;
    double interval = 0.5, duration = 0;
    for (int i = 2; i < argc; i++) {
        char *end;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("Usage: h5swmr watch FILE [DATASET]... [--interval S] [--duration S]\n"
                   "Follows the channels of an MTH5 file while an SWMR writer grows them, printing\n"
                   "each change; new runs and channels are picked up. Ends on Ctrl-C or after --duration.\n");
            return 0;
        } else if (!strcmp(argv[i], "--interval") || !strcmp(argv[i], "--duration")) {
            if (i + 1 >= argc)
                return fail(EXIT_USAGE, "%s needs a number of seconds", argv[i]);
            const char *a = argv[i + 1];
            errno = 0;
            double v = strtod(a, &end);
            /* finite and in range: NaN fails every comparison, so test for being inside */
            if (!a[0] || isspace((unsigned char)a[0]) || *end || end == a || errno || !isfinite(v) ||
                !(v >= 0 && v <= 86400))
                return fail(EXIT_USAGE, "%s: '%s' is not a number of seconds from 0 to 86400", argv[i], a);
            if (argv[i][2] == 'i')
                interval = v;
            else
                duration = v;
            i++;
        } else if (argv[i][0] == '-') {
            return fail(EXIT_USAGE, "watch: unknown option '%s'", argv[i]);
        } else if (!file) {
            file = argv[i];
        } else if (nnames < 256) {
            names[nnames++] = argv[i];
        } else {
            return fail(EXIT_USAGE, "watch: too many datasets");
        }
    }
    if (!file)
        return fail(EXIT_USAGE, "watch: no file given");

    sigset_t mask, old;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_BLOCK, &mask, &old);
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
    h5s_err_t err;
    mth5_t *m = NULL;
    wch_t *ch = NULL;
    size_t nch = 0;
    int rc = 0;
    if (sfd < 0) {
        rc = fail(EXIT_FAIL, "signalfd: %s", strerror(errno));
        goto out;
    }
    if (mth5_open(file, "r", true, &m, &err) < 0) {
        rc = fail(open_exit(err.code), "%s", err.msg);
        goto out;
    }
    if (mth5_is_static(m)) {
        rc = fail(EXIT_USAGE,
                  "'%s' has an old superblock (before version 3): no SWMR writer can write it, so there is "
                  "nothing to watch; read it with h5swmr summary",
                  file);
        goto out;
    }
    if (!(ch = calloc(nnames ? (size_t)nnames : 1, sizeof *ch))) {
        rc = fail(EXIT_FAIL, "out of memory");
        goto out;
    }
    for (int i = 0; i < nnames; i++) {
        if (mth5_channel_open_path(m, names[i], &ch[nch].ch, &err) < 0) {
            rc = fail(EXIT_USAGE, "%s", err.msg);
            goto out;
        }
        nch++;
    }
    printf("watching %s every %g s (Ctrl-C to stop)\n", file, interval);
    fflush(stdout);
    int64_t t0 = h5s_now_ns(), next = t0;
    int64_t t_end = duration > 0 ? t0 + (int64_t)(duration * 1e9) : INT64_MAX;
    for (;;) {
        if (!nnames) {
            mth5_summary_row_t *rows = NULL;
            size_t n = 0;
            if (mth5_channel_summary(m, &rows, &n, &err) < 0) {
                rc = fail(EXIT_FAIL, "%s", err.msg);
                goto out;
            }
            for (size_t i = 0; i < n; i++) {
                size_t k;
                for (k = 0; k < nch; k++)
                    if (!strcmp(mth5_channel_path(ch[k].ch), rows[i].path))
                        break;
                if (k < nch)
                    continue;
                void *p = realloc(ch, (nch + 1) * sizeof *ch);
                if (!p) {
                    free(rows);
                    rc = fail(EXIT_FAIL, "out of memory");
                    goto out;
                }
                ch = p;
                memset(&ch[nch], 0, sizeof ch[nch]);
                ch[nch].len = UINT64_MAX;
                if (mth5_channel_open_path(m, rows[i].path, &ch[nch].ch, &err) < 0) {
                    free(rows);
                    rc = fail(EXIT_FAIL, "%s", err.msg);
                    goto out;
                }
                nch++;
            }
            free(rows);
        }
        for (size_t k = 0; k < nch; k++) {
            uint64_t len;
            if (mth5_channel_refresh(ch[k].ch, &len, &err) < 0) {
                rc = fail(EXIT_FAIL, "%s", err.msg);
                goto out;
            }
            if (len != ch[k].len) {
                double t = (double)(h5s_now_ns() - t0) / 1e9;
                if (ch[k].len == UINT64_MAX || (nnames && ch[k].len == 0 && t == 0))
                    printf("%9.3f s  %s: %llu samples\n", t, mth5_channel_path(ch[k].ch), (unsigned long long)len);
                else
                    printf("%9.3f s  %s: %llu samples (%+lld)\n", t, mth5_channel_path(ch[k].ch),
                           (unsigned long long)len, (long long)(len - ch[k].len));
                ch[k].len = len;
            }
        }
        fflush(stdout);
        next += (int64_t)(interval * 1e9);
        if (next > t_end)
            next = t_end;
        if (h5s_now_ns() >= t_end)
            break;
        int w = h5s_wait_readable(sfd, next);
        if (w != 0)
            break; /* Ctrl-C or SIGTERM */
    }
    printf("watch ended\n");
out:
    for (size_t k = 0; k < nch; k++)
        mth5_channel_close(ch[k].ch);
    free(ch);
    if (m)
        mth5_close(m, NULL);
    if (sfd >= 0) {
        /* consume the Ctrl-C we stopped on, so that unblocking does not deliver it */
        struct signalfd_siginfo si;
        struct pollfd pf = {.fd = sfd, .events = POLLIN};
        while (poll(&pf, 1, 0) == 1 && read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
            ;
        close(sfd);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    return rc;
}

/* ---- summary ------------------------------------------------------------ */

static int cmd_summary(int argc, char **argv)
{
    if (argc != 3 || argv[2][0] == '-') {
        if (argc == 3 && (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help"))) {
            printf("Usage: h5swmr summary FILE\n");
            return 0;
        }
        return fail(EXIT_USAGE, "usage: h5swmr summary FILE");
    }
    h5s_err_t err;
    mth5_t *m = NULL;
    if (mth5_open(argv[2], "r", false, &m, &err) < 0) {
        /* a file an SWMR writer holds can still be read with SWMR_READ */
        if (err.code != H5S_ELOCKED || mth5_open(argv[2], "r", true, &m, &err) < 0)
            return fail(open_exit(err.code), "%s", err.msg);
    }
    mth5_summary_row_t *rows = NULL;
    mth5_table_row_t *trows = NULL;
    size_t n = 0, nt = 0;
    int rc = 0;
    if (mth5_channel_summary(m, &rows, &n, &err) < 0) {
        rc = fail(EXIT_FAIL, "%s", err.msg);
        goto out;
    }
    bool table = mth5_summary_table_read(m, &trows, &nt, &err) == 0;
    printf("%-14s %-10s %-10s %-6s %-10s %12s %10s %14s  %s\n", "survey", "station", "run", "chan", "type", "n_samples",
           "rate_Hz", "table_samples", "end");
    for (size_t i = 0; i < n; i++) {
        mth5_summary_row_t *r = &rows[i];
        char tab[24] = "missing";
        long k = table ? mth5_summary_table_find(trows, nt, r->survey, r->station, r->run, r->component) : -1;
        if (k >= 0)
            snprintf(tab, sizeof tab, "%lld", (long long)trows[k].n_samples);
        printf("%-14s %-10s %-10s %-6s %-10s %12llu %10g %14s  %s\n", r->survey, r->station, r->run, r->component,
               r->type, (unsigned long long)r->n_samples, r->sample_rate, tab, r->end);
    }
    printf("%zu channel%s; stored channel_summary table: %s\n", n, n == 1 ? "" : "s", table ? "present" : "missing");
out:
    free(rows);
    free(trows);
    mth5_close(m, NULL);
    return rc;
}

/* ---- finalize ----------------------------------------------------------- */

static int cmd_finalize(int argc, char **argv)
{
    if (argc != 3 || argv[2][0] == '-') {
        if (argc == 3 && (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help"))) {
            printf("Usage: h5swmr finalize FILE\nReopens an MTH5 file without SWMR and rebuilds its "
                   "/Experiment/channel_summary table from the tree.\n");
            return 0;
        }
        return fail(EXIT_USAGE, "usage: h5swmr finalize FILE");
    }
    h5s_err_t err;
    mth5_t *m = NULL;
    if (mth5_open(argv[2], "r+", false, &m, &err) < 0)
        return fail(open_exit(err.code), "%s", err.msg);
    int rc = mth5_summary_table_rebuild(m, &err);
    if (rc < 0) {
        mth5_close(m, NULL);
        return fail(EXIT_FAIL, "%s", err.msg);
    }
    if (mth5_close(m, &err) < 0)
        return fail(EXIT_FAIL, "%s", err.msg);
    printf("%s: channel_summary rebuilt\n", argv[2]);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        if (argc > 2)
            return fail(EXIT_USAGE, "%s takes no arguments (for a command's help: h5swmr COMMAND --help)", cmd);
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
        if (argc > 2)
            return fail(EXIT_USAGE, "%s takes no arguments", cmd);
        version();
        return 0;
    }
    /* The orchestrating process never touches HDF5 before it forks (children
     * initialise their own library); commands that use HDF5 directly silence it. */
    for (size_t i = 0; commands[i]; i++) {
        if (strcmp(cmd, commands[i]->name))
            continue;
        if (commands[i]->needs_hdf5 && h5s_hdf5_quiet() < 0)
            return fail(EXIT_FAIL, "cannot initialise HDF5");
        return commands[i]->handler(argc, argv);
    }
    return fail(EXIT_USAGE, "unknown command '%s' (see h5swmr --help)", cmd);
}

static int cmd_run_main(int argc, char **argv)
{
    return cmd_run(argc, argv, false);
}

static int cmd_write_main(int argc, char **argv)
{
    return cmd_run(argc, argv, true);
}

const cli_cmd_t cmd_run_def = {
    .name = "run",
    .synopsis = "SCENARIO [-o KEY=VALUE]...",
    .summary = "one writer and N readers on a new file, for each job of the scenario",
    .handler = cmd_run_main,
    .needs_hdf5 = false,
};

const cli_cmd_t cmd_write_def = {
    .name = "write",
    .synopsis = "SCENARIO [-o KEY=VALUE]...",
    .summary = "the writer alone (readers = 0); says when readers may attach",
    .handler = cmd_write_main,
    .needs_hdf5 = false,
};

const cli_cmd_t cmd_watch_def = {
    .name = "watch",
    .synopsis = "FILE [DATASET]... [--interval S] [--duration S]",
    .summary = "follow every channel (or the named datasets) of a file being written",
    .handler = cmd_watch,
    .needs_hdf5 = true,
};

const cli_cmd_t cmd_summary_def = {
    .name = "summary",
    .synopsis = "FILE",
    .summary = "channel summary of an MTH5 file: tree walk and stored table",
    .handler = cmd_summary,
    .needs_hdf5 = true,
};

const cli_cmd_t cmd_finalize_def = {
    .name = "finalize",
    .synopsis = "FILE",
    .summary = "reopen without SWMR and rebuild channel_summary",
    .handler = cmd_finalize,
    .needs_hdf5 = true,
};
