/* test_fuzz_cli.c - a bounded fuzz of h5swmr's command lines and of gate's
 * JSON inputs, with the real program.
 *
 * Command lines: a corpus of valid invocations of every command that finish
 * within a second (run, write, watch, summary, finalize, check, sweep,
 * flushcost, plot, stress, gate, --version, --help) is mutated with a fixed
 * seed: arguments dropped, duplicated, swapped; values and options replaced by
 * edge cases (empty, -1, 0, nan, inf, 1e308, huge integers, 5000-character
 * strings and paths, newlines and control characters in paths, /dev/null, a
 * FIFO, a directory, an existing regular file, a missing path, '=' without a
 * key, unknown options) and an option left without its value at the end. The
 * arguments that keep a case short (a run's duration, check's --case or
 * --list, sweep's --dry-run, stress's --iterations, ...) are never dropped or
 * changed, and nothing is inserted after them, so that a case that does not
 * end is a hang and not a long run asked for. Every case runs in its own
 * directory (its working directory and TMPDIR); outputs are given inside it.
 * Each must end within the timeout, not by a signal (under ASan+UBSan an
 * error aborts), with exit status 0, 1, 2, 3, 4 or 130, with a message when
 * it is 2, and change nothing in the directory of shared inputs (scenarios,
 * an MTH5 file, JSON files, a FIFO, a regular file given as an output path):
 * only --force or overwrite= may replace that regular file. A third test
 * replaces every path of every corpus entry in turn, without randomness, by
 * a FIFO, a directory of FIFOs named like the files commands read, /dev/null,
 * a directory, the regular file, a missing path, a path with a newline and
 * one of 5000 characters, and lists every case that fails.
 *
 * One corpus entry runs an external reader whose client misbehaves in every
 * way at once: it prints SAMPLES past anything written, a bad= index past
 * its SAMPLES, bytes that are not UTF-8 and C1 controls, floods its stderr,
 * and leaves a grandchild in a session of its own that ignores SIGTERM.
 * After every case no such grandchild may be alive, every summary.json must
 * be valid UTF-8 and every client_reader*.log bounded.
 *
 * Gate's JSON: a valid sweep.json built here (and the shipped baseline) is
 * mutated structurally (types swapped, keys deleted or repeated, arrays grown
 * by up to a thousand entries, values nested deeply, long strings) and as text
 * (cut, bytes flipped, NaN-like literals and stray brackets inserted); `gate
 * --baseline A B` runs both ways and must end in time, not by a signal, with
 * exit status 0, 1 or 2.
 *
 * A failing case prints its command; the paths in it are under the test's
 * temporary directory (outside/ holds the shared inputs, cNNN/ the case's
 * own; the directory is kept with a -kept suffix when a case fails).
 * H5SWMR_FUZZ_SEED changes the seed, H5SWMR_FUZZ_CLI_CASES (default 110) and
 * H5SWMR_FUZZ_JSON_CASES (default 100) the counts per test (there are two of
 * each), H5SWMR_FUZZ_SECONDS (default 110) the time after which a test
 * starts no new case, H5SWMR_FUZZ_TIMES=S logs every case slower than S s. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "util.h"

TestSuite(fuzz_cli, .init = tu_setup, .fini = tu_teardown, .timeout = 280);

#define CASE_TIMEOUT_MS 30000
#define MAX_UNITS 48
#define LONG_LEN 5000

static uint64_t g_rng;
static char g_out[16384]; /* the last case's output */

static uint64_t rnd(uint64_t n)
{
    return n ? h5s_rand_next(&g_rng) % n : 0;
}

static uint64_t seed_of(uint64_t part)
{
    const char *s = getenv("H5SWMR_FUZZ_SEED");
    return (s ? strtoull(s, NULL, 10) : 20261130) * 1000003u + part;
}

static long count_of(const char *env, long dflt)
{
    const char *s = getenv(env);
    return s && atol(s) > 0 ? atol(s) : dflt;
}

static double budget_s(void)
{
    const char *s = getenv("H5SWMR_FUZZ_SECONDS");
    return s && atof(s) > 0 ? atof(s) : 110;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    cr_assert_not_null(d);
    return d;
}

static char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    cr_assert(n >= 0 && s);
    return s;
}

/* ---- the environment of every case ---------------------------------------- */

/* Sanitizer errors end the program by a signal; leaks are not checked (HDF5
 * keeps library-lifetime allocations), as in ci/test. */
static void sanitizer_env(void)
{
    setenv("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=1", 0);
    setenv("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1:abort_on_error=1", 0);
}

/* The command as a shell would take it: $'...' words, long runs of one
 * character as $(printf ...). */
static void shell_words(const char *const *argv, char *out, size_t cap)
{
    size_t n = 0;
#define PUT(...)                                                                                                       \
    do {                                                                                                               \
        if (n < cap)                                                                                                   \
            n += (size_t)snprintf(out + n, cap - n, __VA_ARGS__);                                                      \
    } while (0)
    for (int i = 0; argv[i]; i++) {
        const unsigned char *a = (const unsigned char *)argv[i];
        PUT("%s$'", i ? " " : "");
        for (size_t k = 0; a[k];) {
            size_t run = 1;
            while (a[k + run] == a[k])
                run++;
            if (run >= 32 && ((a[k] >= 'a' && a[k] <= 'z') || (a[k] >= '0' && a[k] <= '9'))) {
                PUT("'\"$(printf %%%zus '' | tr ' ' %c)\"$'", run, a[k]);
                k += run;
                continue;
            }
            if (a[k] == '\'' || a[k] == '\\')
                PUT("\\%c", a[k]);
            else if (a[k] < 32 || a[k] >= 127)
                PUT("\\x%02x", a[k]);
            else
                PUT("%c", a[k]);
            k++;
        }
        PUT("'");
    }
#undef PUT
    if (n >= cap && cap > 4)
        strcpy(out + cap - 4, "...");
}

/* On a failure the test's directory is kept (renamed with a -kept suffix)
 * and the message says where; returns its new name. */
static const char *keep_dir(void)
{
    static char kept[700];
    snprintf(kept, sizeof kept, "%s-kept", tu_dir());
    if (chdir("/") != 0 || rename(tu_dir(), kept) != 0)
        snprintf(kept, sizeof kept, "(not kept: %s)", strerror(errno));
    return kept;
}

#define FAIL_CASE(...)                                                                                                 \
    do {                                                                                                               \
        const char *kept_ = keep_dir();                                                                                \
        cr_assert_fail("kept in %s (the paths below are under %s)\n" __VA_ARGS__);                                     \
        (void)kept_;                                                                                                   \
    } while (0)

static char g_cmd[24000]; /* the last case's command, for messages */
static char g_outside[600];

/* Opens every FIFO in dir without blocking, for reading and for writing, so
 * that whatever a killed case left blocked in open() on it goes on. */
static void unblock_fifos(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char p[1400];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (lstat(p, &st) != 0 || !S_ISFIFO(st.st_mode))
            continue;
        int r = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC), w = open(p, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (w >= 0)
            close(w);
        if (r >= 0)
            close(r);
    }
    if (d)
        closedir(d);
}

/* Runs argv in dir (its working directory and TMPDIR) and checks what every
 * case must do: end in time, not by a signal, with an allowed exit status, a
 * message for exit 2, no sanitizer report. Returns the exit status (-1 if it
 * did not exit); problem is "" or what went wrong. */
static int run_case(const char *const *argv, const char *dir, const int *allowed, int nallowed, char *problem,
                    size_t cap)
{
    shell_words(argv, g_cmd, sizeof g_cmd);
    cr_assert_eq(chdir(dir), 0, "chdir %s: %s", dir, strerror(errno));
    setenv("TMPDIR", dir, 1);
    int status = 0;
    int64_t t0 = h5s_now_ns();
    int rc = tu_run(argv, CASE_TIMEOUT_MS, &status, g_out, sizeof g_out);
    double secs = (double)(h5s_now_ns() - t0) / 1e9;
    cr_assert_eq(chdir(tu_dir()), 0);
    unsetenv("TMPDIR");
    problem[0] = '\0';
    int code = rc == 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    bool ok = false;
    for (int i = 0; i < nallowed; i++)
        ok |= code == allowed[i];
    bool said = false;
    for (const char *p = g_out; *p && !said; p++)
        said = *p != ' ' && *p != '\n' && *p != '\t';
    if (rc != 0) {
        snprintf(problem, cap, "did not end within %d s (hang?)", CASE_TIMEOUT_MS / 1000);
        char p[1400];
        snprintf(p, sizeof p, "%s/fifodir", dir);
        unblock_fifos(p);
        if (g_outside[0])
            unblock_fifos(g_outside);
    } else if (!WIFEXITED(status)) {
        snprintf(problem, cap, "ended by %s after %.1f s", tu_status_str(status), secs);
    } else if (!ok) {
        snprintf(problem, cap, "exit status %d is not an allowed one", code);
    } else if (strstr(g_out, "Sanitizer") || strstr(g_out, "runtime error:")) {
        snprintf(problem, cap, "a sanitizer report (exit %d)", code);
    } else if (code == 2 && !said) {
        snprintf(problem, cap, "exit 2 without a message");
    }
    if (getenv("H5SWMR_FUZZ_TIMES") && secs > atof(getenv("H5SWMR_FUZZ_TIMES")))
        cr_log_info("%.2f s, exit %d: %.300s", secs, code, g_cmd);
    return code;
}

static int run_checked(const char *const *argv, const char *dir, const int *allowed, int nallowed, const char *what)
{
    char problem[200];
    int code = run_case(argv, dir, allowed, nallowed, problem, sizeof problem);
    if (problem[0]) {
        char tdir[700];
        snprintf(tdir, sizeof tdir, "%s", tu_dir());
        FAIL_CASE("%s: %s\n  cd %s && %s\noutput:\n%s", kept_, tdir, what, problem, dir, g_cmd, g_out);
    }
    return code;
}

/* ---- snapshots of the shared inputs --------------------------------------- */

typedef struct snap_ent {
    char name[256];
    struct stat st;
    unsigned char *data; /* regular files */
    size_t len;
} snap_ent_t;

typedef struct snap {
    snap_ent_t e[32];
    int n;
} snap_t;

static int ent_cmp(const void *a, const void *b)
{
    return strcmp(((const snap_ent_t *)a)->name, ((const snap_ent_t *)b)->name);
}

static void snap_free(snap_t *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->e[i].data);
    s->n = 0;
}

static void snap_take(const char *dir, snap_t *s)
{
    s->n = 0;
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "opendir %s: %s", dir, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        cr_assert_lt(s->n, 32, "too many entries in %s", dir);
        snap_ent_t *x = &s->e[s->n++];
        memset(x, 0, sizeof *x);
        snprintf(x->name, sizeof x->name, "%s", e->d_name);
        char p[1400];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        cr_assert_eq(lstat(p, &x->st), 0);
        if (S_ISREG(x->st.st_mode))
            cr_assert_eq(tu_read_file(p, &x->data, &x->len), 0);
    }
    closedir(d);
    qsort(s->e, (size_t)s->n, sizeof s->e[0], ent_cmp);
}

/* The first difference between two snapshots, or NULL. Entries named in
 * may_change may have other contents (still a regular file). */
static const char *snap_diff(const snap_t *a, const snap_t *b, const char *may_change)
{
    static char msg[600];
    if (a->n != b->n) {
        int k = 0;
        while (k < a->n && k < b->n && !strcmp(a->e[k].name, b->e[k].name))
            k++;
        snprintf(msg, sizeof msg, "%d entries instead of %d (first difference: '%s')", b->n, a->n,
                 k < b->n ? b->e[k].name : a->e[k].name);
        return msg;
    }
    for (int i = 0; i < a->n; i++) {
        const snap_ent_t *x = &a->e[i], *y = &b->e[i];
        if (strcmp(x->name, y->name))
            return snprintf(msg, sizeof msg, "'%s' is gone, '%s' appeared", x->name, y->name), msg;
        if ((x->st.st_mode & S_IFMT) != (y->st.st_mode & S_IFMT))
            return snprintf(msg, sizeof msg, "'%s' changed its type", x->name), msg;
        bool may = may_change && !strcmp(x->name, may_change);
        if (may)
            continue;
        if (x->st.st_ino != y->st.st_ino || x->st.st_mode != y->st.st_mode)
            return snprintf(msg, sizeof msg, "'%s' was replaced or its mode changed", x->name), msg;
        if (x->st.st_mtim.tv_sec != y->st.st_mtim.tv_sec || x->st.st_mtim.tv_nsec != y->st.st_mtim.tv_nsec)
            return snprintf(msg, sizeof msg, "'%s' was modified (mtime)", x->name), msg;
        if (x->len != y->len || (x->len && memcmp(x->data, y->data, x->len)))
            return snprintf(msg, sizeof msg, "'%s' has other contents", x->name), msg;
    }
    return NULL;
}

/* ---- the shared inputs ---------------------------------------------------- */

static void copy_file(const char *from, const char *to)
{
    unsigned char *b;
    size_t n;
    cr_assert_eq(tu_read_file(from, &b, &n), 0, "read %s", from);
    FILE *f = fopen(to, "wb");
    cr_assert_not_null(f, "create %s", to);
    cr_assert_eq(fwrite(b, 1, n, f), n);
    cr_assert_eq(fclose(f), 0);
    free(b);
}

static const char SENTINEL_TEXT[] = "a sentinel: no command may change this file unless told to replace it\n";

/* The text of outside/client.py: a client that breaks every rule at once
 * and leaves a grandchild (its pid in client-grandchild.pid in the working
 * directory, the case's) in a session of its own, ignoring SIGTERM. */
static const char CLIENT_PY[] =
    "import os, signal, sys, time\n"
    "t, ch = time.monotonic_ns(), os.environ.get('H5SWMR_FIRST_CHANNEL', '/x').encode()\n"
    "out = sys.stdout.buffer\n"
    "out.write(b'%d %s 18446744073709551615 ok\\n' % (t, ch))\n"
    "out.write(b'%d %s 10 bad=18446744073709551615\\n' % (t, ch + b'2'))\n"
    "out.write(b'\\xff\\xfe\\xc2\\x9b31m\\x9b2J ' + b'y' * 50 + '\\u00e9'.encode() + b' not text\\n')\n"
    "out.flush()\n"
    "sys.stderr.write(('e' * 99 + '\\n') * 3000)\n"
    "sys.stderr.flush()\n"
    "a = os.fork()\n"
    "if a == 0:\n"
    "    os.setsid()\n"
    "    b = os.fork()\n"
    "    if b == 0:\n"
    "        signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "        os.dup2(os.open('/dev/null', os.O_RDWR), 1)\n"
    "        os.execvp('sleep', ['sleep', '1000'])\n"
    "    with open('client-grandchild.pid', 'w') as f:\n"
    "        f.write(str(b))\n"
    "    os._exit(0)\n"
    "os.waitpid(a, 0)\n";

/* Writes outside/client.py (executable, run by H5SWMR_PYTHON without the
 * site module, so that it has done its worst well within a 0.5 s run). */
static void write_client(void)
{
    char p[1400], text[sizeof CLIENT_PY + 1200];
    snprintf(p, sizeof p, "%s/client.py", g_outside);
    snprintf(text, sizeof text, "#!%s -S\n%s", H5SWMR_PYTHON, CLIENT_PY); /* -S: starts in a few ms */
    cr_assert_eq(tu_write_text(p, text), 0);
    cr_assert_eq(chmod(p, 0755), 0);
}

/* outside/: scenarios, expectations, an MTH5 file (written by a short run),
 * a flushcost.csv (by a short flushcost), gate's JSON, a FIFO and a regular
 * file that stands for something the user owns. */
static void make_outside(void)
{
    snprintf(g_outside, sizeof g_outside, "%s", tu_path("outside"));
    cr_assert_eq(mkdir(g_outside, 0755), 0);
    char a[1400], b[1400];
    static const char *const scen[] = {"append_fast.ini", "mth5_concurrent.ini", "sweep_quick.ini"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(a, sizeof a, "%s/scenarios/%s", H5SWMR_SOURCE_DIR, scen[i]);
        snprintf(b, sizeof b, "%s/%s", g_outside, scen[i]);
        copy_file(a, b);
    }
    snprintf(a, sizeof a, "%s/scenarios/expect/hdf5-1.10.expect", H5SWMR_SOURCE_DIR);
    snprintf(b, sizeof b, "%s/hdf5.expect", g_outside);
    copy_file(a, b);
    snprintf(a, sizeof a, "%s/results/baseline/sweep.json", H5SWMR_SOURCE_DIR);
    snprintf(b, sizeof b, "%s/base.json", g_outside);
    copy_file(a, b);
    snprintf(b, sizeof b, "%s/sweep.json", g_outside);
    copy_file(a, b);
    snprintf(b, sizeof b, "%s/sentinel.txt", g_outside);
    cr_assert_eq(tu_write_text(b, SENTINEL_TEXT), 0);
    snprintf(b, sizeof b, "%s/fifo", g_outside);
    cr_assert_eq(mkfifo(b, 0600), 0);
    /* data file paths overwrite=true must refuse: a link to a file of the
     * user's (never excused, unlike the sentinel), a dangling link, and a
     * file this process keeps open (a plain reader: no lock) */
    snprintf(b, sizeof b, "%s/linked.txt", g_outside);
    cr_assert_eq(tu_write_text(b, SENTINEL_TEXT), 0);
    snprintf(b, sizeof b, "%s/link.mth5", g_outside);
    cr_assert_eq(symlink("linked.txt", b), 0);
    snprintf(b, sizeof b, "%s/dangling.mth5", g_outside);
    cr_assert_eq(symlink("nothing.mth5", b), 0);
    snprintf(b, sizeof b, "%s/held.mth5", g_outside);
    cr_assert_eq(tu_write_text(b, SENTINEL_TEXT), 0);
    cr_assert_geq(open(b, O_RDONLY | O_CLOEXEC), 0); /* held until the test process ends */
    write_client();

    char setup[700], file[1400], res[1400], csv[1400];
    snprintf(setup, sizeof setup, "%s", tu_path("setup"));
    cr_assert_eq(mkdir(setup, 0755), 0);
    snprintf(file, sizeof file, "file=%s/fix.mth5", g_outside);
    snprintf(res, sizeof res, "results_dir=%s/res", setup);
    snprintf(a, sizeof a, "%s/scenarios/append_fast.ini", H5SWMR_SOURCE_DIR);
    const char *runv[] = {H5SWMR_BIN, "run",        a,    "-o", "readers=0", "-o", "duration=0", "-o", "max_blocks=3",
                          "-o",       "quiet=true", "-o", file, "-o",        res,  NULL};
    static const int zero[] = {0};
    run_checked(runv, setup, zero, 1, "setup: the MTH5 file");
    snprintf(csv, sizeof csv, "%s/flushcost.csv", g_outside);
    const char *fcv[] = {H5SWMR_BIN, "flushcost", "--counts", "1,2",   "--rounds", "1", "--budget",
                         "0",        "--dir",     setup,      "--csv", csv,        NULL};
    run_checked(fcv, setup, zero, 1, "setup: flushcost.csv");
    cr_assert_eq(h5s_rm_rf(setup), 0);
}

/* ---- command lines -------------------------------------------------------- */

/* A unit is an option with its value, or one word. pin '!': never dropped,
 * changed or moved, and nothing goes after it (it keeps the case short);
 * '^': never dropped, changed or moved. */
typedef struct unit {
    char *t[2];
    int n;
    char pin;
} unit_t;

typedef struct cmdline {
    const char *cmd; /* NULL: the first unit is the command (and may change) */
    unit_t u[MAX_UNITS];
    int n;
    bool tail_done; /* an option without its value was put at the end */
} cmdline_t;

/* The corpus. @C is the case's directory, @O the shared inputs. Each is a
 * command, then units: "-o key=value" is one unit of two words. */
typedef struct seed {
    const char *cmd;
    const char *units[16];
} seed_t;

static const seed_t seeds[] = {
    {"run", {"@O/append_fast.ini", "-o readers=1", "-o quiet=true", "-o results_dir=@C/res", "!-o duration=0.2"}},
    {"run",
     {"@O/mth5_concurrent.ini", "-o readers=1", "-ofile=@C/data.mth5", "-o results_dir=@C/res",
      "-o reader_refresh=reopen", "!-o duration=0.2"}},
    {"run",
     {"@O/append_fast.ini", "-o readers=2", "-o reader_kind=h5swmr,cmd", "-o reader_cmd=@O/client.py", "-o quiet=true",
      "-o results_dir=@C/res", "!-o duration=0.5"}},
    {"write", {"@O/append_fast.ini", "-o results_dir=@C/res", "-o overwrite=false", "!-o duration=0.2"}},
    {"watch", {"@O/fix.mth5", "--interval 0.05", "!--duration 0.2"}},
    {"watch", {"@O/fix.mth5", "/Experiment/Surveys/live_survey/Stations/MT001/run_001/ex", "!--duration 0.1"}},
    {"summary", {"@O/fix.mth5"}},
    {"finalize", {"@C/fin.mth5"}},
    {"check", {"!--list"}},
    {"check", {"--dir @C", "--quiet", "--hdf5-expect builtin", "!--case swmr_with_w_refused"}},
    {"check",
     {"--dir=@C/adir", "--tap", "--junit @C/junit.xml", "--hdf5-expect @O/hdf5.expect", "--keep-data",
      "!--case hdf5_swmr_open_missing"}},
    {"sweep",
     {"@O/sweep_quick.ini", "-o results_dir=@C/res", "-s readers=1,2", "--max-runs 200", "--no-plot", "!--dry-run"}},
    {"sweep", {"@O/append_fast.ini", "-o sweep=block_samples=64,128", "-o repeat=2", "!--dry-run"}},
    {"flushcost",
     {"--rounds 1", "--block 64", "--dir @C/scratch", "--csv @C/fc/flushcost.csv", "--json @C/fc.json", "!--counts 1,2",
      "!--budget 0"}},
    {"flushcost", {"^--fit", "1,1", "10,20", "100,400"}},
    {"plot", {"@C/plot"}},
    {"plot", {"@C/plot", "--force", "--timeout 60"}},
    {"stress",
     {"@O/append_fast.ini", "--seed 7", "-o readers=1", "-o results_dir=@C/res", "!--iterations 1",
      "!-o duration=0.2"}},
    {"stress", {"--replay @C/adir", "-o keep_data=false"}}, /* refused: not a kept failure */
    /* overwrite=true never writes through a link, nor replaces a file another process has open */
    {"write", {"@O/append_fast.ini", "^-o file=@O/link.mth5", "^-o overwrite=true", "!-o duration=0.2"}},
    {"write", {"@O/append_fast.ini", "^-o file=@O/held.mth5", "^-o overwrite=true", "!-o duration=0.2"}},
    {"gate", {"--baseline @O/base.json", "@O/sweep.json", "--tolerance 0.1", "--markdown @C/gate.md"}},
    {"gate", {"--baseline @O/base.json", "@O/base.json", "--lag-tolerance 0.25", "--exponent-tolerance 0.45"}},
    {"gate", {"--help"}},
    {NULL, {"--version"}},
    {NULL, {"--help"}},
    {NULL, {"-V"}},
    {NULL, {"help"}},
    {"run", {"--help"}},
    {"summary", {"-h"}},
};
#define NSEEDS (sizeof seeds / sizeof seeds[0])

/* The exit status of a corpus entry as it stands: 2 for those made to be
 * refused (a replay of no kept failure, a data file among the shared inputs),
 * 1 for the misbehaving client, else 0. */
static int corpus_exit(const seed_t *s)
{
    for (int i = 0; s->units[i]; i++)
        if (strstr(s->units[i], "--replay") || strstr(s->units[i], "file=@O/"))
            return 2;
        else if (strstr(s->units[i], "@O/client.py"))
            return 1;
    return 0;
}

/* Options each command knows: "name" or "name=" for one that takes a value.
 * Never --run or --ab for gate (a sweep of minutes by design). */
static const char *const *options_of(const char *cmd)
{
    static const char *const none[] = {NULL};
    static const char *const run[] = {"-o=", "-h", NULL};
    static const char *const watch[] = {"--interval=", "--duration=", NULL};
    static const char *const check[] = {"--dir=", "--hdf5-expect=", "--tap", "--junit=",    "--force", "--case=",
                                        "--list", "--quiet",        "-q",    "--keep-data", "--keep",  NULL};
    static const char *const sweep[] = {"-o=", "-s=", "--dry-run", "--no-plot", "--max-runs=", NULL};
    static const char *const fc[] = {
        "--counts=", "--rounds=", "--block=", "--budget=", "--dir=", "--csv=", "--json=", "--force", "--fit", NULL};
    static const char *const plot[] = {"--force", "--timeout=", NULL};
    static const char *const stress[] = {"--iterations=", "--seed=", "-o=", "--replay=", NULL};
    static const char *const gate[] = {"--baseline=",
                                       "--tolerance=",
                                       "--lag-tolerance=",
                                       "--exponent-tolerance=",
                                       "--budget=",
                                       "--rounds=",
                                       "--max-rounds=",
                                       "--out=",
                                       "--strict",
                                       "--markdown=",
                                       "--force",
                                       "-o=",
                                       "--a-opt=",
                                       "--b-opt=",
                                       NULL};
    static const char *const top[] = {"--version", "--help", "-V", "-h", "help", "bogus", NULL};
    if (!cmd)
        return top;
    if (!strcmp(cmd, "run") || !strcmp(cmd, "write"))
        return run;
    if (!strcmp(cmd, "watch"))
        return watch;
    if (!strcmp(cmd, "check"))
        return check;
    if (!strcmp(cmd, "sweep"))
        return sweep;
    if (!strcmp(cmd, "flushcost"))
        return fc;
    if (!strcmp(cmd, "plot"))
        return plot;
    if (!strcmp(cmd, "stress"))
        return stress;
    if (!strcmp(cmd, "gate"))
        return gate;
    return none;
}

/* Scenario keys -o may name (not duration, max_blocks or max_mb: 0 there
 * means "until Ctrl-C", a long run by request). */
static const char *const scn_keys[] = {
    "readers",   "poll_ms",   "channels", "block_samples", "results_dir", "file",          "dtype",
    "seed",      "nchannels", "sweep",    "overwrite",     "repeat",      "sample_rate",   "flush_every_ms",
    "rescan_ms", "report_ms", "quiet",    "keep_data",     "writer_mode", "workload",      "reader_wait",
    "bogus_key", "",          "READERS",  "stop_timeout",  "compress",    "reader_refresh"};

static char *expand(const char *t, const char *cdir)
{
    char buf[8192];
    size_t n = 0;
    for (const char *p = t; *p && n < sizeof buf - 1;) {
        const char *rep = !strncmp(p, "@C", 2) ? cdir : !strncmp(p, "@O", 2) ? g_outside : NULL;
        if (rep) {
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s", rep);
            p += 2;
        } else {
            buf[n++] = *p++;
        }
    }
    buf[n < sizeof buf ? n : sizeof buf - 1] = '\0';
    return xstrdup(buf);
}

/* An edge-case value (malloc'd). */
static char *edge_value(const char *cdir)
{
    static const char *const fixed[] = {"",
                                        "-1",
                                        "0",
                                        "nan",
                                        "NaN",
                                        "inf",
                                        "-inf",
                                        "1e308",
                                        "-1e308",
                                        "1e-320",
                                        "99999999999999999999999999",
                                        "18446744073709551617",
                                        "-9223372036854775809",
                                        "0x10",
                                        "1,,2",
                                        ",",
                                        " 1",
                                        "1 ",
                                        "=",
                                        "=1",
                                        "--",
                                        "-",
                                        "--bogus",
                                        "--bogus=1",
                                        "-Z",
                                        "--help",
                                        "true",
                                        "\xff\xfe",
                                        "ex,,ey",
                                        "/dev/null",
                                        "@O/fifo",
                                        "@O/sentinel.txt",
                                        "@O/link.mth5",
                                        "@O/dangling.mth5",
                                        "@C/adir",
                                        "@C/fifodir",
                                        "@C",
                                        "@C/missing/deeper/file",
                                        "@C/fresh.out",
                                        "@C/new\nline",
                                        "@C/ctl\001\033[2J\r",
                                        "@C/adir/",
                                        "@O/fifo/x"};
    size_t nf = sizeof fixed / sizeof fixed[0];
    uint64_t k = rnd(nf + 3);
    if (k < nf)
        return expand(fixed[k], cdir);
    char *s = malloc(LONG_LEN + 700);
    cr_assert_not_null(s);
    if (k == nf) { /* a long string */
        memset(s, 'a', LONG_LEN);
        s[LONG_LEN] = '\0';
    } else if (k == nf + 1) { /* a long path in the case's directory */
        int n = snprintf(s, 700, "%s/", cdir);
        memset(s + n, 'p', LONG_LEN);
        s[n + LONG_LEN] = '\0';
    } else { /* a long path of many short components */
        int n = snprintf(s, 700, "%s", cdir);
        while (n < LONG_LEN)
            n += snprintf(s + n, 700, "/d");
    }
    return s;
}

static void unit_free(unit_t *u)
{
    free(u->t[0]);
    free(u->t[1]);
    u->t[0] = u->t[1] = NULL;
    u->n = 0;
}

static void unit_copy(unit_t *to, const unit_t *from)
{
    to->n = from->n;
    to->pin = 0;
    to->t[0] = xstrdup(from->t[0]);
    to->t[1] = from->n > 1 ? xstrdup(from->t[1]) : NULL;
}

static void cmdline_free(cmdline_t *c)
{
    for (int i = 0; i < c->n; i++)
        unit_free(&c->u[i]);
    c->n = 0;
}

static void cmdline_from_seed(cmdline_t *c, const seed_t *s, const char *cdir)
{
    memset(c, 0, sizeof *c);
    c->cmd = s->cmd;
    for (int i = 0; s->units[i]; i++) {
        const char *t = s->units[i];
        unit_t *u = &c->u[c->n++];
        u->pin = (*t == '!' || *t == '^') ? *t++ : 0;
        const char *sp = strchr(t, ' ');
        if (sp) {
            char w[200];
            snprintf(w, sizeof w, "%.*s", (int)(sp - t), t);
            u->t[0] = expand(w, cdir);
            u->t[1] = expand(sp + 1, cdir);
            u->n = 2;
        } else {
            u->t[0] = expand(t, cdir);
            u->n = 1;
        }
    }
}

/* Where units may be inserted: before the first '!' unit. */
static int insert_limit(const cmdline_t *c)
{
    for (int i = 0; i < c->n; i++)
        if (c->u[i].pin == '!')
            return i;
    return c->n;
}

static int pick_free(const cmdline_t *c)
{
    int idx[MAX_UNITS], n = 0;
    for (int i = 0; i < c->n; i++)
        if (!c->u[i].pin)
            idx[n++] = i;
    return n ? idx[rnd((uint64_t)n)] : -1;
}

static void insert_at(cmdline_t *c, int at, unit_t *u)
{
    if (c->n >= MAX_UNITS) {
        unit_free(u);
        return;
    }
    memmove(&c->u[at + 1], &c->u[at], (size_t)(c->n - at) * sizeof c->u[0]);
    c->u[at] = *u;
    c->n++;
}

/* A new unit: an edge value, an option of the command (with an edge value
 * if it takes one), or -o KEY=EDGE. */
static void new_unit(const cmdline_t *c, unit_t *u, const char *cdir)
{
    memset(u, 0, sizeof *u);
    const char *const *opts = options_of(c->cmd);
    int nopts = 0;
    while (opts[nopts])
        nopts++;
    uint64_t k = rnd(4);
    if (k == 0 || nopts == 0) {
        u->t[0] = edge_value(cdir);
        u->n = 1;
        return;
    }
    const char *o = opts[rnd((uint64_t)nopts)];
    size_t l = strlen(o);
    bool takes = l && o[l - 1] == '=';
    if (!takes) {
        u->t[0] = xstrdup(o);
        u->n = 1;
        return;
    }
    char *v;
    if (!strcmp(o, "-o=") || !strcmp(o, "-s=")) {
        char *e = edge_value(cdir);
        v = xprintf("%s=%s", scn_keys[rnd(sizeof scn_keys / sizeof scn_keys[0])], e);
        free(e);
    } else {
        v = edge_value(cdir);
    }
    if (rnd(4) == 0) { /* --opt=VALUE */
        u->t[0] = xprintf("%.*s%s", (int)l, o, v);
        free(v);
        u->n = 1;
    } else {
        u->t[0] = xprintf("%.*s", (int)(l - 1), o);
        u->t[1] = v;
        u->n = 2;
    }
}

static void mutate_cmdline(cmdline_t *c, const char *cdir)
{
    int rounds = 1 + (int)rnd(4);
    for (int r = 0; r < rounds; r++) {
        int lim = insert_limit(c), i, j;
        switch (rnd(8)) {
        case 0: /* drop */
            if ((i = pick_free(c)) >= 0) {
                unit_free(&c->u[i]);
                memmove(&c->u[i], &c->u[i + 1], (size_t)(c->n - i - 1) * sizeof c->u[0]);
                c->n--;
            }
            break;
        case 1: /* duplicate */
            if (c->n) {
                unit_t u;
                unit_copy(&u, &c->u[rnd((uint64_t)c->n)]);
                insert_at(c, (int)rnd((uint64_t)lim + 1), &u);
            }
            break;
        case 2: /* swap */
            if ((i = pick_free(c)) >= 0 && (j = pick_free(c)) >= 0) {
                unit_t t = c->u[i];
                c->u[i] = c->u[j];
                c->u[j] = t;
            }
            break;
        case 3:
        case 4: /* replace a value */
            if ((i = pick_free(c)) >= 0) {
                unit_t *u = &c->u[i];
                char *e = edge_value(cdir), *eq = strchr(u->t[0], '=');
                if (u->n == 2 && (rnd(3) || !strchr(u->t[1], '='))) {
                    free(u->t[1]);
                    u->t[1] = e;
                } else if (u->n == 2) { /* -o key=EDGE */
                    char *k = strchr(u->t[1], '='), *v = xprintf("%.*s=%s", (int)(k - u->t[1]), u->t[1], e);
                    free(e);
                    free(u->t[1]);
                    u->t[1] = v;
                } else if (eq) { /* key=EDGE, --opt=EDGE, -okey=EDGE */
                    char *v = xprintf("%.*s=%s", (int)(eq - u->t[0]), u->t[0], e);
                    free(e);
                    free(u->t[0]);
                    u->t[0] = v;
                } else {
                    free(u->t[0]);
                    u->t[0] = e;
                }
            }
            break;
        case 5: /* replace an option or word */
            if ((i = pick_free(c)) >= 0) {
                free(c->u[i].t[0]);
                c->u[i].t[0] = edge_value(cdir);
            }
            break;
        case 6: { /* insert */
            unit_t u;
            new_unit(c, &u, cdir);
            insert_at(c, (int)rnd((uint64_t)lim + 1), &u);
            break;
        }
        default: /* an option without its value, at the end */
            if (!c->tail_done && c->n < MAX_UNITS) {
                const char *const *opts = options_of(c->cmd);
                const char *pick[32];
                int n = 0;
                for (int k = 0; opts[k] && n < 32; k++)
                    if (opts[k][strlen(opts[k]) - 1] == '=')
                        pick[n++] = opts[k];
                unit_t *u = &c->u[c->n++];
                memset(u, 0, sizeof *u);
                u->n = 1;
                u->pin = '^';
                const char *o = n ? pick[rnd((uint64_t)n)] : "--bogus=";
                u->t[0] = xprintf("%.*s", (int)strlen(o) - 1, o);
                c->tail_done = true;
            }
            break;
        }
    }
}

/* What a case needs in its directory. */
static void prepare_case(const char *cdir, const cmdline_t *c)
{
    char p[1400], q[1400];
    cr_assert_eq(mkdir(cdir, 0755), 0, "mkdir %s: %s", cdir, strerror(errno));
    snprintf(p, sizeof p, "%s/adir", cdir);
    cr_assert_eq(mkdir(p, 0755), 0);
    /* a directory whose files a command may read are FIFOs */
    snprintf(p, sizeof p, "%s/fifodir", cdir);
    cr_assert_eq(mkdir(p, 0755), 0);
    static const char *const fifos[] = {"flushcost.csv", "sweep.csv", "lag_reader1.csv", "resolved.ini", "sweep.json"};
    for (size_t i = 0; i < sizeof fifos / sizeof fifos[0]; i++) {
        snprintf(q, sizeof q, "%s/fifodir/%s", cdir, fifos[i]);
        cr_assert_eq(mkfifo(q, 0600), 0);
    }
    if (c->cmd && !strcmp(c->cmd, "finalize")) {
        snprintf(p, sizeof p, "%s/fix.mth5", g_outside);
        snprintf(q, sizeof q, "%s/fin.mth5", cdir);
        copy_file(p, q);
    }
    if (c->cmd && !strcmp(c->cmd, "plot")) {
        snprintf(p, sizeof p, "%s/plot", cdir);
        cr_assert_eq(mkdir(p, 0755), 0);
        snprintf(p, sizeof p, "%s/flushcost.csv", g_outside);
        snprintf(q, sizeof q, "%s/plot/flushcost.csv", cdir);
        copy_file(p, q);
    }
}

/* True if the case asks to replace existing outputs. */
static bool may_replace(const char *const *argv)
{
    for (int i = 0; argv[i]; i++)
        if (!strcmp(argv[i], "--force") || strstr(argv[i], "overwrite="))
            return true;
    return false;
}

static char g_leftover[400]; /* what leftover_one found, "" if nothing */

/* Whether process pid is alive (not gone, not a zombie). */
static bool alive(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *close = strrchr(buf, ')');
    return !close || (close[2] != 'Z' && close[2] != 'X');
}

/* The offset of the first byte of buf that is not part of valid UTF-8
 * (overlong forms, surrogates and code points past U+10FFFF included), len
 * when there is none. */
static size_t utf8_invalid_at(const unsigned char *buf, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = buf[i];
        size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : (c & 0xf0) == 0xe0 ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        uint32_t cp = n == 2 ? c & 0x1fu : n == 3 ? c & 0x0fu : c & 0x07u;
        if (!n || i + n > len)
            return i;
        for (size_t k = 1; k < n; k++) {
            if ((buf[i + k] & 0xc0) != 0x80)
                return i;
            cp = cp << 6 | (buf[i + k] & 0x3fu);
        }
        if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
            return i;
        i += n;
    }
    return len;
}

/* nftw callback of leftovers: one file of a case's directory. */
static int leftover_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    const char *name = path + ftw->base;
    unsigned char *buf = NULL;
    size_t len = 0;
    if (flag != FTW_F)
        return 0;
    if (!strcmp(name, "client-grandchild.pid") && tu_read_file(path, &buf, &len) == 0) {
        pid_t pid = (pid_t)atoi((char *)buf);
        if (pid > 1 && alive(pid)) {
            kill(pid, SIGKILL); /* whatever else was found: it must not outlive the test */
            snprintf(g_leftover, sizeof g_leftover, "the client's grandchild (pid %d) outlived the run", (int)pid);
        }
    } else if (g_leftover[0]) {
        /* one problem is enough */
    } else if (!strncmp(name, "client_reader", 13) && st->st_size > 2 * 65536 + 256) {
        snprintf(g_leftover, sizeof g_leftover, "%s has %lld bytes", name, (long long)st->st_size);
    } else if (!strcmp(name, "summary.json") && tu_read_file(path, &buf, &len) == 0) {
        size_t at = utf8_invalid_at(buf, len);
        if (at < len)
            snprintf(g_leftover, sizeof g_leftover, "%s is not UTF-8 at byte %zu", path, at);
    }
    free(buf);
    return 0;
}

/* What a case left that no run may leave (a client's process, an unbounded
 * client log, a summary.json that is not UTF-8): "" or the problem. */
static const char *leftovers(const char *cdir)
{
    g_leftover[0] = '\0';
    nftw(cdir, leftover_one, 16, FTW_PHYS);
    return g_leftover;
}

typedef struct cli_state {
    snap_t before;
    long n, by_code[256];
    char failures[60000]; /* non-fatal mode: what failed so far */
    int nfail;
} cli_state_t;

/* Runs one command line in its directory tu_dir()/cname and checks it and
 * the shared inputs. fatal: the first problem ends the test; else problems
 * are collected in st->failures. Returns the exit status. */
static int one_case(cli_state_t *st, cmdline_t *c, const char *cname, const char *what, bool fatal)
{
    static const int allowed[] = {0, 1, 2, 3, 4, 130};
    char cdir[700], problem[700];
    snprintf(cdir, sizeof cdir, "%s", tu_path(cname));
    const char *argv[2 * MAX_UNITS + 4];
    int k = 0;
    argv[k++] = H5SWMR_BIN;
    if (c->cmd)
        argv[k++] = c->cmd;
    for (int i = 0; i < c->n; i++)
        for (int j = 0; j < c->u[i].n; j++)
            argv[k++] = c->u[i].t[j];
    argv[k] = NULL;
    prepare_case(cdir, c);
    int code = run_case(argv, cdir, allowed, 6, problem, sizeof problem);
    st->n++;
    if (code >= 0)
        st->by_code[code]++;
    bool replace = may_replace(argv);
    snap_t after;
    snap_take(g_outside, &after);
    const char *diff = snap_diff(&st->before, &after, replace ? "sentinel.txt" : NULL);
    snap_free(&after);
    if (!problem[0] && diff)
        snprintf(problem, sizeof problem, "the shared inputs changed: %s", diff);
    const char *left = leftovers(cdir);
    if (!problem[0] && left[0])
        snprintf(problem, sizeof problem, "%s", left);
    if (!problem[0]) { /* the top of the test directory holds only outside/ and the case's own */
        DIR *d = opendir(tu_dir());
        cr_assert_not_null(d);
        struct dirent *e;
        while (!problem[0] && (e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "outside") &&
                strcmp(e->d_name, cname))
                snprintf(problem, sizeof problem, "'%s' appeared beside the case's directory", e->d_name);
        closedir(d);
    }
    if (problem[0] && fatal) {
        char tdir[700];
        snprintf(tdir, sizeof tdir, "%s", tu_dir());
        FAIL_CASE("%s: %s\n  cd %s && %s\noutput:\n%s", kept_, tdir, what, problem, cdir, g_cmd, g_out);
    }
    if (problem[0]) {
        size_t l = strlen(st->failures);
        snprintf(st->failures + l, sizeof st->failures - l, "%s: %s\n  cd %s && %s\n  output: %.600s\n", what, problem,
                 cdir, g_cmd, g_out);
        st->nfail++;
    }
    if (replace || diff) { /* put the sentinel back for the next cases */
        char p[1400];
        snprintf(p, sizeof p, "%s/sentinel.txt", g_outside);
        cr_assert_eq(tu_write_text(p, SENTINEL_TEXT), 0);
        snap_free(&st->before);
        snap_take(g_outside, &st->before);
    }
    for (int i = 0; i < 3 && h5s_rm_rf(cdir) != 0; i++)
        ;
    return code;
}

static void fuzz_cli(uint64_t part)
{
    sanitizer_env();
    g_rng = seed_of(part);
    make_outside();
    static cli_state_t st;
    snap_take(g_outside, &st.before);
    long ncases = count_of("H5SWMR_FUZZ_CLI_CASES", 110);
    int64_t end = h5s_now_ns() + (int64_t)(budget_s() * 1e9);
    /* the first NSEEDS cases run whatever the time budget (a loaded machine is slower, not wrong) */
    for (long n = 0; n < ncases && (n < (long)NSEEDS || h5s_now_ns() < end); n++) {
        char cname[32], cdir[700], what[64];
        snprintf(cname, sizeof cname, "c%03ld", n);
        snprintf(cdir, sizeof cdir, "%s", tu_path(cname));
        cmdline_t c;
        bool corpus = part == 1 && n < (long)NSEEDS; /* the first cases of part 1: the corpus itself */
        cmdline_from_seed(&c, corpus ? &seeds[n] : &seeds[rnd(NSEEDS)], cdir);
        if (!corpus)
            mutate_cmdline(&c, cdir);
        snprintf(what, sizeof what, "case %ld (seed part %llu)", n, (unsigned long long)part);
        int code = one_case(&st, &c, cname, what, true);
        if (corpus)
            cr_assert_eq(code, corpus_exit(&seeds[n]), "corpus entry %ld: exit %d: %s", n, code, g_out);
        cmdline_free(&c);
    }
    snap_free(&st.before);
    cr_log_info("fuzz_cli part %llu: %ld cases; exit 0: %ld, 1: %ld, 2: %ld, 3: %ld, 4: %ld, 130: %ld",
                (unsigned long long)part, st.n, st.by_code[0], st.by_code[1], st.by_code[2], st.by_code[3],
                st.by_code[4], st.by_code[130]);
    cr_assert_geq(st.n, (long)NSEEDS, "only %ld cases ran", st.n);
    cr_assert_gt(st.by_code[2], 0, "no case was refused: the mutations do not reach the argument checks");
}

Test(fuzz_cli, command_lines_a)
{
    fuzz_cli(1);
}

Test(fuzz_cli, command_lines_b)
{
    fuzz_cli(2);
}

/* Every path of every corpus entry in turn replaced by each of these (no
 * randomness): the kinds of file a path can name that are not what the
 * command expects. Every failure is listed, not only the first. */
Test(fuzz_cli, command_line_paths)
{
    static const char *const paths[] = {
        "@O/fifo",      "@C/fifodir", "/dev/null", "@C/adir", "@O/sentinel.txt", "@C/missing/deeper/file",
        "@C/new\nline", "@LONG"};
    sanitizer_env();
    make_outside();
    static cli_state_t st;
    snap_take(g_outside, &st.before);
    long n = 0;
    int64_t end = h5s_now_ns() + (int64_t)(budget_s() * 1e9);
    for (size_t s = 0; s < NSEEDS && h5s_now_ns() < end; s++)
        for (int u = 0; seeds[s].units[u]; u++)
            for (int w = 0; w < 2; w++) {
                const char *t = seeds[s].units[u], *sp = strchr(t, ' ');
                if (w == 1 && !sp)
                    break;
                const char *word = w ? sp + 1 : t, *at = strchr(word, '@');
                if (!at || (!w && sp && at > sp))
                    continue;
                const char *eq = memchr(word, '=', (size_t)(at - word)); /* key=@..., --opt=@... */
                for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++, n++) {
                    char cname[32], cdir[700], what[96];
                    snprintf(cname, sizeof cname, "p%03ld", n);
                    snprintf(cdir, sizeof cdir, "%s", tu_path(cname));
                    cmdline_t c;
                    cmdline_from_seed(&c, &seeds[s], cdir);
                    char *v;
                    if (!strcmp(paths[p], "@LONG")) {
                        char *l = malloc(LONG_LEN + 1);
                        cr_assert_not_null(l);
                        memset(l, 'p', LONG_LEN);
                        l[LONG_LEN] = '\0';
                        v = xprintf("%s/%s", cdir, l);
                        free(l);
                    } else {
                        v = expand(paths[p], cdir);
                    }
                    char *nw = xprintf("%.*s%s", eq ? (int)(eq - word + 1) : 0, word, v);
                    free(v);
                    free(c.u[u].t[w]);
                    c.u[u].t[w] = nw;
                    snprintf(what, sizeof what, "path case %ld", n);
                    one_case(&st, &c, cname, what, false);
                    cmdline_free(&c);
                }
            }
    snap_free(&st.before);
    cr_log_info("fuzz_cli paths: %ld cases; exit 0: %ld, 1: %ld, 2: %ld, 3: %ld, 4: %ld, 130: %ld; %d failed", st.n,
                st.by_code[0], st.by_code[1], st.by_code[2], st.by_code[3], st.by_code[4], st.by_code[130], st.nfail);
    if (st.nfail) {
        char tdir[700];
        snprintf(tdir, sizeof tdir, "%s", tu_dir());
        FAIL_CASE("%d of %ld path cases failed:\n%s", kept_, tdir, st.nfail, st.n, st.failures);
    }
    /* over 100 in the full budget; a shortened budget (H5SWMR_FUZZ_SECONDS,
     * as the sanitizer pass sets it) asks proportionally fewer */
    long want = budget_s() >= 110 ? 100 : (long)(budget_s() * 2);
    cr_assert_gt(st.n, want, "only %ld path cases ran", st.n);
}

/* ---- gate's JSON ---------------------------------------------------------- */

static cJSON *scenario_obj(const char *mode, const char *block, const char *poll, const char *wait, const char *readers)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "writer_mode", mode);
    cJSON_AddStringToObject(s, "block_samples", block);
    cJSON_AddStringToObject(s, "nchannels", "0");
    cJSON_AddStringToObject(s, "flush_call", "dflush");
    cJSON_AddStringToObject(s, "flush_every_blocks", "1");
    cJSON_AddStringToObject(s, "poll_ms", poll);
    cJSON_AddStringToObject(s, "reader_wait", wait);
    cJSON_AddStringToObject(s, "readers", readers);
    cJSON_AddStringToObject(s, "dtype", "float32");
    cJSON_AddStringToObject(s, "cork", "true");
    return s;
}

/* A small valid sweep.json with every field gate reads. */
static cJSON *valid_sweep(double jitter)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "schema_version", 1);
    cJSON *runs = cJSON_AddArrayToObject(j, "runs");
    static const char *const modes[] = {"raw", "noswmr", "bare", "swmr"};
    for (int rep = 1; rep <= 3; rep++) {
        for (int m = 0; m < 4; m++) {
            cJSON *r = cJSON_CreateObject();
            cJSON_AddStringToObject(r, "job", "throughput");
            cJSON_AddNumberToObject(r, "repeat", rep);
            cJSON_AddStringToObject(r, "writer_mode", modes[m]);
            cJSON_AddNumberToObject(r, "errors", 0);
            cJSON_AddNumberToObject(r, "exit_code", 0);
            cJSON_AddNumberToObject(r, "call_MBps", (400 + 100 * m) * (1 + jitter * rep));
            cJSON_AddNumberToObject(r, "io_MBps", (300 + 90 * m) * (1 + jitter * rep));
            cJSON_AddNumberToObject(r, "flush_p50_us", 30 + rep);
            if (m == 3) {
                cJSON_AddNumberToObject(r, "call_ratio_vs_noswmr", 0.8 + jitter * rep);
                cJSON_AddNumberToObject(r, "call_ratio_vs_bare", 0.95 + jitter * rep);
                cJSON_AddNumberToObject(r, "call_ratio_vs_raw", 0.5 + jitter * rep);
                cJSON_AddNumberToObject(r, "io_ratio_vs_raw", 0.4 + jitter * rep);
                cJSON_AddNumberToObject(r, "io_ratio_vs_noswmr", 0.7 + jitter * rep);
            }
            cJSON_AddItemToObject(r, "scenario", scenario_obj(modes[m], "16384", "500", "poll", "0"));
            cJSON_AddItemToArray(runs, r);
        }
        for (int p = 0; p < 2; p++) {
            cJSON *r = cJSON_CreateObject();
            cJSON_AddStringToObject(r, "job", "lag");
            cJSON_AddNumberToObject(r, "repeat", rep);
            cJSON_AddStringToObject(r, "writer_mode", "swmr");
            cJSON_AddNumberToObject(r, "errors", 0);
            cJSON_AddNumberToObject(r, "exit_code", 0);
            cJSON_AddNumberToObject(r, "call_MBps", 200 * (1 + jitter * rep));
            cJSON_AddNumberToObject(r, "lag_p50_us", (p ? 5000 : 600) * (1 + jitter * rep));
            cJSON_AddItemToObject(r, "scenario", scenario_obj("swmr", "1000", p ? "10" : "1", "poll", "2"));
            cJSON_AddItemToArray(runs, r);
        }
    }
    cJSON *g = cJSON_AddArrayToObject(j, "flush_growth");
    static const char *const calls[] = {"dflush", "fflush"};
    for (int c = 0; c < 2; c++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "job", "channels");
        cJSON_AddStringToObject(e, "flush_call", calls[c]);
        cJSON_AddNumberToObject(e, "exponent_top", 1.0 + c * 0.3 + jitter);
        cJSON_AddItemToArray(g, e);
    }
    return j;
}

typedef struct node_ref {
    cJSON *parent, *node;
} node_ref_t;

static int collect_nodes(cJSON *parent, node_ref_t *out, int n, int cap)
{
    cJSON *c;
    cJSON_ArrayForEach (c, parent) {
        if (n >= cap)
            break;
        out[n++] = (node_ref_t){parent, c};
        if (cJSON_IsArray(c) || cJSON_IsObject(c))
            n = collect_nodes(c, out, n, cap);
    }
    return n;
}

static cJSON *other_value(const cJSON *old)
{
    static const double nums[] = {0, -1, 1e308, -1e308, 5e-324, 9007199254740993.0, 1, 0.5, -0.0, 1e20};
    char longs[600];
    switch (rnd(10)) {
    case 0: return cJSON_CreateNull();
    case 1: return cJSON_CreateBool(rnd(2));
    case 2: return cJSON_CreateNumber(nums[rnd(sizeof nums / sizeof nums[0])]);
    case 3: {
        static const char *const strs[] = {"",    "swmr",     "NaN", "nan", "1e999", "-1", "throughput",
                                           "lag", "channels", "0",   "inf", "%s%n",  "\n", "dflush"};
        return cJSON_CreateString(strs[rnd(sizeof strs / sizeof strs[0])]);
    }
    case 4: return cJSON_CreateArray();
    case 5: return cJSON_CreateObject();
    case 6: { /* an array of numbers */
        cJSON *a = cJSON_CreateArray();
        for (int i = 0, n = (int)rnd(5); i < n; i++)
            cJSON_AddItemToArray(a, cJSON_CreateNumber((double)i));
        return a;
    }
    case 7: /* a long string */
        memset(longs, 'x', sizeof longs - 1);
        longs[sizeof longs - 1] = '\0';
        return cJSON_CreateString(longs);
    case 8: /* a string of the number, or the number of the string */
        if (cJSON_IsNumber(old)) {
            char b[64];
            snprintf(b, sizeof b, "%.17g", old->valuedouble);
            return cJSON_CreateString(b);
        }
        if (cJSON_IsString(old) && old->valuestring)
            return cJSON_CreateNumber(atof(old->valuestring));
        return cJSON_CreateString("0");
    default: /* an object in place of a number or string */ {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "a", 1);
        return o;
    }
    }
}

static void mutate_tree(cJSON *root)
{
    static node_ref_t nodes[20000];
    int n = collect_nodes(root, nodes, 0, 20000);
    if (!n)
        return;
    node_ref_t r = nodes[rnd((uint64_t)n)];
    switch (rnd(7)) {
    case 0:
    case 1: /* another type */ cJSON_ReplaceItemViaPointer(r.parent, r.node, other_value(r.node)); break;
    case 2: /* delete */ cJSON_Delete(cJSON_DetachItemViaPointer(r.parent, r.node)); break;
    case 3: { /* the key or item repeated, up to thousands of times */
        int times = rnd(3) ? 1 + (int)rnd(20) : 100 + (int)rnd(900);
        for (int i = 0; i < times; i++) {
            cJSON *dup = cJSON_Duplicate(r.node, true);
            if (!dup)
                break;
            if (cJSON_IsObject(r.parent))
                cJSON_AddItemToObject(r.parent, r.node->string ? r.node->string : "", dup);
            else
                cJSON_AddItemToArray(r.parent, dup);
        }
        break;
    }
    case 4: { /* nested in arrays */
        cJSON *v = cJSON_Duplicate(r.node, true);
        for (int i = 0, d = 1 + (int)rnd(300); v && i < d; i++) {
            cJSON *a = cJSON_CreateArray();
            cJSON_AddItemToArray(a, v);
            v = a;
        }
        if (v)
            cJSON_ReplaceItemViaPointer(r.parent, r.node, v);
        break;
    }
    case 5: /* a key renamed */
        if (r.node->string) {
            static const char *const keys[] = {"",       "runs",       "job",       "scenario",     "errors",
                                               "repeat", "exit_code",  "RUNS",      "flush_growth", "writer_mode",
                                               "job ",   "lag_p50_us", "call_MBps", "exponent_top"};
            cJSON *dup = cJSON_Duplicate(r.node, true);
            if (dup && cJSON_IsObject(r.parent)) {
                cJSON_Delete(cJSON_DetachItemViaPointer(r.parent, r.node));
                cJSON_AddItemToObject(r.parent, keys[rnd(sizeof keys / sizeof keys[0])], dup);
            } else {
                cJSON_Delete(dup);
            }
        }
        break;
    default: { /* a run copied with one field changed: new keys, pairs */
        cJSON *runs = cJSON_GetObjectItem(root, "runs");
        int nr = cJSON_GetArraySize(runs);
        if (cJSON_IsArray(runs) && nr > 0) {
            cJSON *dup = cJSON_Duplicate(cJSON_GetArrayItem(runs, (int)rnd((uint64_t)nr)), true);
            if (dup) {
                node_ref_t sub[64];
                int ns = collect_nodes(dup, sub, 0, 64);
                if (ns) {
                    node_ref_t x = sub[rnd((uint64_t)ns)];
                    cJSON_ReplaceItemViaPointer(x.parent, x.node, other_value(x.node));
                }
                cJSON_AddItemToArray(runs, dup);
            }
        }
        break;
    }
    }
}

/* Text mutations of the printed JSON (buf has room for cap bytes). */
static size_t mutate_text(char *buf, size_t len, size_t cap)
{
    static const char *const tokens[] = {"NaN",         "Infinity",    "-Infinity",  "nan",  "1e999", "-1e999", "0x10",
                                         "\"\\u0000\"", "\"\\ud800\"", "[",          "]",    "{",     "}",      ",",
                                         ":",           "\"",          "\\",         "\xff", "null",  "-",      "1e",
                                         "01",          "\"\\x\"",     "true false", "/*c*/"};
    for (int r = 0, rounds = 1 + (int)rnd(3); r < rounds; r++) {
        size_t at = len ? rnd(len) : 0;
        switch (rnd(5)) {
        case 0: /* cut */ len = at; break;
        case 1: /* flip a byte */
            if (len)
                buf[at] = (char)rnd(256);
            break;
        case 2: { /* insert a token */
            const char *t = tokens[rnd(sizeof tokens / sizeof tokens[0])];
            size_t tl = strlen(t);
            if (len + tl < cap) {
                memmove(buf + at + tl, buf + at, len - at);
                memcpy(buf + at, t, tl);
                len += tl;
            }
            break;
        }
        case 3: { /* delete a range */
            size_t k = rnd(40);
            if (at + k > len)
                k = len - at;
            memmove(buf + at, buf + at + k, len - at - k);
            len -= k;
            break;
        }
        default: { /* a member whose value is nested very deeply, before the member at a ':' */
            char *colon = len ? memchr(buf + at, ':', len - at) : NULL;
            size_t d = 500 + rnd(20000), add = 2 * d + 1 + 9;
            if (colon && len + add < cap) {
                size_t p = (size_t)(colon - buf) + 1;
                memmove(buf + p + add, buf + p, len - p);
                memset(buf + p, '[', d);
                buf[p + d] = '0';
                memset(buf + p + d + 1, ']', d);
                memcpy(buf + p + 2 * d + 1, ",\"deep\":", 9);
                len += add;
            }
            break;
        }
        }
    }
    return len;
}

static void write_bytes(const char *path, const char *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "create %s", path);
    cr_assert_eq(fwrite(buf, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

#define JSON_CAP (8u << 20)

/* A mutated JSON document into buf; returns its length. */
static size_t mutated_json(const char *const *valid, int nvalid, char *buf)
{
    const char *src = valid[rnd((uint64_t)nvalid)];
    size_t len;
    uint64_t how = rnd(4);
    if (how < 3) { /* structure, then maybe text */
        cJSON *j = cJSON_Parse(src);
        cr_assert_not_null(j);
        for (int i = 0, n = 1 + (int)rnd(3); i < n; i++)
            mutate_tree(j);
        char *t = rnd(2) ? cJSON_PrintUnformatted(j) : cJSON_Print(j);
        cJSON_Delete(j);
        cr_assert_not_null(t);
        len = strlen(t);
        if (len >= JSON_CAP / 2)
            len = JSON_CAP / 2;
        memcpy(buf, t, len);
        free(t);
        if (how == 2)
            len = mutate_text(buf, len, JSON_CAP);
    } else {
        len = strlen(src);
        memcpy(buf, src, len);
        len = mutate_text(buf, len, JSON_CAP);
    }
    return len;
}

static void fuzz_gate_json(uint64_t part)
{
    sanitizer_env();
    g_rng = seed_of(100 + part);
    cJSON *v1 = valid_sweep(0.01), *v2 = valid_sweep(0.02);
    char *valid[3] = {cJSON_Print(v1), cJSON_PrintUnformatted(v2), NULL};
    cJSON_Delete(v1);
    cJSON_Delete(v2);
    unsigned char *shipped;
    size_t slen;
    char p[1400];
    snprintf(p, sizeof p, "%s/results/baseline/sweep.json", H5SWMR_SOURCE_DIR);
    cr_assert_eq(tu_read_file(p, &shipped, &slen), 0);
    valid[2] = malloc(slen + 1);
    cr_assert_not_null(valid[2]);
    memcpy(valid[2], shipped, slen);
    valid[2][slen] = '\0';
    free(shipped);
    char *buf = malloc(JSON_CAP), *buf2 = malloc(JSON_CAP);
    cr_assert(buf && buf2);

    static const int allowed[] = {0, 1, 2};
    char cdir[700], a[1400], b[1400], md[1400];
    snprintf(cdir, sizeof cdir, "%s", tu_path("json"));
    cr_assert_eq(mkdir(cdir, 0755), 0);
    snprintf(a, sizeof a, "%s/a.json", cdir);
    snprintf(b, sizeof b, "%s/b.json", cdir);

    /* the unmutated documents pass against each other */
    write_bytes(a, valid[0], strlen(valid[0]));
    write_bytes(b, valid[1], strlen(valid[1]));
    const char *ok[] = {H5SWMR_BIN, "gate", "--baseline", a, b, NULL};
    static const int zero[] = {0};
    run_checked(ok, cdir, zero, 1, "the valid sweep.json built by the test");

    long ncases = count_of("H5SWMR_FUZZ_JSON_CASES", 100);
    int64_t end = h5s_now_ns() + (int64_t)(budget_s() * 1e9);
    long n = 0, by_code[256] = {0};
    /* the first 21 cases run whatever the time budget (a loaded machine is slower, not wrong) */
    for (; n < ncases && (n <= 20 || h5s_now_ns() < end); n++) {
        size_t la = mutated_json((const char *const *)valid, 3, buf), lb;
        if (rnd(4) == 0) {
            lb = mutated_json((const char *const *)valid, 3, buf2);
        } else {
            const char *v = valid[rnd(3)];
            lb = strlen(v);
            memcpy(buf2, v, lb);
        }
        write_bytes(a, buf, la);
        write_bytes(b, buf2, lb);
        bool with_md = rnd(4) == 0;
        snprintf(md, sizeof md, "%s/verdicts-%ld.md", cdir, n);
        char what[96];
        for (int dir = 0; dir < 2; dir++) {
            const char *argv[] = {
                H5SWMR_BIN, "gate", "--baseline", dir ? b : a, dir ? a : b, with_md ? "--markdown" : NULL, md, NULL};
            snprintf(what, sizeof what, "JSON case %ld (seed part %llu, %s)", n, (unsigned long long)part,
                     dir ? "mutated file judged" : "mutated file as baseline");
            int code = run_checked(argv, cdir, allowed, 3, what);
            by_code[code]++;
            unlink(md);
        }
    }
    free(buf);
    free(buf2);
    for (int i = 0; i < 3; i++)
        free(valid[i]);
    cr_log_info("fuzz gate JSON part %llu: %ld cases (%ld gate runs); exit 0: %ld, 1: %ld, 2: %ld",
                (unsigned long long)part, n, 2 * n, by_code[0], by_code[1], by_code[2]);
    cr_assert_gt(n, 20, "only %ld JSON cases ran", n);
    cr_assert_gt(by_code[2], 0, "no mutated JSON was refused");
    cr_assert_gt(by_code[0] + by_code[1], 0, "no mutated JSON was judged");
}

Test(fuzz_cli, gate_json_a)
{
    fuzz_gate_json(1);
}

Test(fuzz_cli, gate_json_b)
{
    fuzz_gate_json(2);
}

/* ---- gate baselines and plots at their edges ------------------------------- */

/* Gate inputs that judge nothing or are not one clean JSON value, with the
 * place varied by the seed: a baseline without runs, a key repeated in a
 * random object at any depth, a NUL byte at a random offset, text after the
 * value; each is refused (exit 2), as baseline and as the sweep judged. Large
 * baselines (2000 to 6000 configurations) are judged (0 or 1) within a CPU
 * limit (ulimit -t 30). A large generated sweep.csv (10000 to 40000 rows) is
 * plotted under --timeout 1 and ends (0, or 1 when the time was up) within
 * the timeout and the 5 s gnuplot is granted to stop. */
Test(fuzz_cli, gate_and_plot_edges)
{
    sanitizer_env();
    g_rng = seed_of(300);
    char cdir[700], a[1400], b[1400];
    snprintf(cdir, sizeof cdir, "%s", tu_path("edges"));
    cr_assert_eq(mkdir(cdir, 0755), 0);
    snprintf(a, sizeof a, "%s/a.json", cdir);
    snprintf(b, sizeof b, "%s/b.json", cdir);
    cJSON *v = valid_sweep(0.01);
    char *valid = cJSON_PrintUnformatted(v);
    cr_assert_not_null(valid);
    write_bytes(b, valid, strlen(valid));
    static const int two[] = {2}, judged[] = {0, 1}, plotted[] = {0, 1};
    static const char *const trailing[] = {"x", "{}", "]", "}", "null", "0", ",", "\"s\"", "/* c */", "\xff"};
    char *buf = malloc(JSON_CAP);
    cr_assert_not_null(buf);
    for (int n = 0; n < 12; n++) {
        size_t len = 0;
        bool as_sweep = true;
        switch (n % 4) {
        case 0: { /* no runs, whatever else it has */
            cJSON *e = cJSON_Duplicate(v, true);
            cJSON_ReplaceItemInObjectCaseSensitive(e, "runs", cJSON_CreateArray());
            char *t = cJSON_PrintUnformatted(e);
            len = strlen(t);
            memcpy(buf, t, len);
            free(t);
            cJSON_Delete(e);
            as_sweep = false; /* an empty sweep is judged: everything is missing */
            break;
        }
        case 1: { /* a member of a random object repeated */
            cJSON *e = cJSON_Duplicate(v, true);
            static node_ref_t nodes[20000];
            int nn = collect_nodes(e, nodes, 0, 20000), tries = 0;
            cJSON *obj = NULL;
            while (!obj && tries++ < 1000) {
                cJSON *c = nodes[rnd((uint64_t)nn)].node;
                if (cJSON_IsObject(c) && c->child)
                    obj = c;
            }
            cr_assert_not_null(obj);
            cJSON *m = obj->child;
            for (int k = (int)rnd((uint64_t)cJSON_GetArraySize(obj)); k > 0 && m->next; k--)
                m = m->next;
            cJSON_AddItemToObject(obj, m->string, cJSON_CreateNumber((double)rnd(100)));
            char *t = cJSON_PrintUnformatted(e);
            len = strlen(t);
            memcpy(buf, t, len);
            free(t);
            cJSON_Delete(e);
            break;
        }
        case 2: /* a NUL byte */
            len = strlen(valid);
            memcpy(buf, valid, len);
            buf[rnd(len)] = '\0';
            break;
        default: { /* text after the value */
            const char *t = trailing[rnd(sizeof trailing / sizeof trailing[0])];
            len = (size_t)snprintf(buf, JSON_CAP, "%s%s%s", valid, rnd(2) ? " " : "\n", t);
            break;
        }
        }
        write_bytes(a, buf, len);
        char what[96];
        snprintf(what, sizeof what, "edge JSON case %d (kind %d) as baseline", n, n % 4);
        const char *g1[] = {H5SWMR_BIN, "gate", "--baseline", a, b, NULL};
        run_checked(g1, cdir, two, 1, what);
        snprintf(what, sizeof what, "edge JSON case %d (kind %d) judged", n, n % 4);
        const char *g2[] = {H5SWMR_BIN, "gate", "--baseline", b, a, NULL};
        if (as_sweep)
            run_checked(g2, cdir, two, 1, what);
    }
    /* large baselines: the valid runs copied with new block sizes (new keys) */
    for (int n = 0; n < 2; n++) {
        cJSON *e = cJSON_Duplicate(v, true), *runs = cJSON_GetObjectItemCaseSensitive(e, "runs");
        int base = cJSON_GetArraySize(runs), want = 2000 + (int)rnd(4000);
        for (int i = base; i < want; i++) {
            cJSON *r = cJSON_Duplicate(
                cJSON_GetArrayItem(v ? cJSON_GetObjectItemCaseSensitive(v, "runs") : NULL, i % base), true);
            char bs[32];
            snprintf(bs, sizeof bs, "%d", 1000 + i);
            cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "scenario"), "block_samples",
                                                   cJSON_CreateString(bs));
            cJSON_AddItemToArray(runs, r);
        }
        char *t = cJSON_PrintUnformatted(e);
        write_bytes(a, t, strlen(t));
        free(t);
        cJSON_Delete(e);
        char cmd[3200], what[96];
        snprintf(cmd, sizeof cmd, "ulimit -t 30; exec '%s' gate --baseline '%s' '%s'", H5SWMR_BIN, n % 2 ? a : b,
                 n % 2 ? b : a);
        const char *sh[] = {"/bin/sh", "-c", cmd, NULL};
        snprintf(what, sizeof what, "a baseline of %d runs (%s)", want, n % 2 ? "as baseline" : "judged");
        run_checked(sh, cdir, judged, 2, what);
    }
    /* large sweep.csv files under --timeout */
    for (int n = 0; n < 1; n++) {
        char pdir[800], csv[900], to[8], what[96];
        snprintf(pdir, sizeof pdir, "%s/plot%d", cdir, n);
        cr_assert_eq(mkdir(pdir, 0755), 0);
        snprintf(csv, sizeof csv, "%s/sweep.csv", pdir);
        FILE *f = fopen(csv, "w");
        cr_assert_not_null(f);
        fprintf(f, "config,job,block_samples,block_bytes,flush_every_blocks,poll_ms,readers,nchannels,flush_call,"
                   "writer_mode,reader_mode,writer_MBps,flush_p50_us,flush_p99_us,lag_p50_us,lag_p99_us,reader_kind\n");
        int rows = 10000 + (int)rnd(30000);
        static const char *const modes[] = {"swmr", "noswmr", "raw", "bare", ""};
        for (int i = 0; i < rows; i++)
            fprintf(f, "%d,j%d,%d,%d,%d,%d,%d,%d,dflush,%s,h5swmr,%d,%d,%d,%d,%d,%s\n", i + 1, (int)rnd(50),
                    1 << rnd(16), 4 << rnd(16), 1 + (int)rnd(20), (int)rnd(1000), (int)rnd(8), (int)rnd(1000),
                    modes[rnd(5)], (int)rnd(5000), (int)rnd(900), (int)rnd(9000), (int)rnd(800), (int)rnd(8000),
                    rnd(2) ? "h5swmr" : "h5py");
        cr_assert_eq(fclose(f), 0);
        snprintf(to, sizeof to, "%d", 1 + n);
        const char *pl[] = {H5SWMR_BIN, "plot", pdir, "--timeout", to, NULL};
        snprintf(what, sizeof what, "plot of %d rows under --timeout %s", rows, to);
        int64_t t0 = h5s_now_ns();
        run_checked(pl, cdir, plotted, 2, what);
        double took = (double)(h5s_now_ns() - t0) / 1e9;
        cr_assert_lt(took, 1 + n + 7, "%s took %.1f s: %s", what, took, g_out);
    }
    free(buf);
    free(valid);
    cJSON_Delete(v);
}
