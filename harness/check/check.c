/* check.c - `h5swmr check`: runs the conformance cases (check_cases.c), each in
 * its own process group on a fresh directory, compares every outcome with its
 * expectation (an expectation file, else the built-in HDF5 1.10.8 values) and
 * reports a table for people, TAP 13 or JUnit XML for CI.
 *
 * Exit status: 0 every outcome as expected, 1 any differs, 2 bad arguments or
 * a bad expectation file (nothing run), 130 interrupted. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "commands.h"
#include "err.h"
#include "util.h"

#define EXIT_DIFF 1
#define EXIT_BAD 2
#define EXIT_INTR 130
#define MAX_ONLY 64
#define SRC_MAX 1200

typedef struct opts {
    const char *dir;    /* --dir: where the data directory is made */
    const char *expect; /* --hdf5-expect */
    const char *junit;  /* --junit FILE */
    bool force;         /* --force: --junit may replace an existing regular file */
    bool tap, list, quiet;
    bool keep; /* --keep-data (or --keep): keep the data of every case, not only of those that differ */
    const char *only[MAX_ONLY];
    size_t nonly;
} opts_t;

/* One case as run: its expectation, what was seen, the verdict. */
typedef struct result {
    const chk_case_t *c;
    bool selected, ran, ok;
    bool kept;          /* its data stayed (it differed, or --keep-data) */
    char dir[PATH_MAX]; /* the case's own directory */
    char expected[CHK_TOKEN_MAX];
    char source[SRC_MAX]; /* "file:line" or "built-in" */
    chk_outcome_t seen;
    double secs;
} result_t;

/* Everything one invocation works with. */
typedef struct check {
    opts_t o;
    const chk_case_t *cases;
    size_t ncases;
    result_t *res;
    char expect_file[PATH_MAX]; /* empty: built-in expectations */
    char hdf5[32];              /* "1.10.8" */
    char hdf5_mm[16];           /* "1.10": names the default expectation file */
    char workdir[PATH_MAX];
    char fs[64];
    int sfd; /* signalfd for SIGINT/SIGTERM */
    sigset_t oldmask;
    bool interrupted;
    int width; /* outcome column width in the table */
} check_t;

#define bad(...) h5s_cli_fail("check", EXIT_BAD, __VA_ARGS__)

/* User text for a one-line message: control characters become '?', text
 * longer than cap is cut with "...". Returns buf. */
static const char *shown(const char *s, char *buf, size_t cap)
{
    size_t i = 0;
    for (; s[i] && i + 4 < cap; i++)
        buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    if (s[i] && i + 4 <= cap)
        memcpy(buf + i, "...", 3), i += 3;
    buf[i] = '\0';
    return buf;
}

static void usage(FILE *out)
{
    fprintf(out, "Usage: h5swmr check [--dir DIR] [--hdf5-expect FILE] [--tap] [--junit FILE]\n"
                 "                    [--case NAME]... [--list] [--quiet] [--keep-data]\n"
                 "\n"
                 "Runs the SWMR conformance suite: each case with real processes on a fresh file,\n"
                 "its outcome compared with what this HDF5 is expected to do.\n"
                 "\n"
                 "  --dir DIR           test the file system of DIR (a fresh subdirectory is made, and\n"
                 "                      removed unless data is kept); default: a fresh directory under /tmp\n"
                 "  --hdf5-expect FILE  expectations; default: scenarios/expect/hdf5-MAJOR.MINOR.expect\n"
                 "                      next to the program or in its source tree, else built-in values\n"
                 "                      (HDF5 1.10.8); 'builtin' uses the built-in values\n"
                 "  --tap               TAP version 13 on stdout instead of the table\n"
                 "  --junit FILE        also write JUnit XML to FILE (a new file; see --force)\n"
                 "  --force             --junit may replace an existing regular file\n"
                 "  --case NAME         run only this case (repeatable)\n"
                 "  --list              list the cases and exit\n"
                 "  --quiet             table: only cases that differ, and the summary\n"
                 "  --keep-data         keep the data directory with every case's files and log; without\n"
                 "                      it only cases that differ from their expectation keep theirs\n"
                 "                      (the report says where); --keep is the same\n"
                 "\n"
                 "Groups: h5swmr (h5swmr's own guards, decided before HDF5 is called), guide, hdf5,\n"
                 "integrity, filesystem.\n"
                 "\n"
                 "Expectation files: one line per case, 'case_name  outcome  # why', where outcome is\n"
                 "pass, accepted, refused:H5S_<NAME>, observed:<word> or fail:<word>, or a set of\n"
                 "acceptable outcomes separated by '|' for an outcome that depends on a race (e.g.\n"
                 "observed:open-refused-truncated|observed:opens-ok). Cases not listed keep their\n"
                 "built-in expectation.\n"
                 "\n"
                 "Exit status: 0 every outcome as expected, 1 any differs, 2 bad arguments or\n"
                 "expectation file, 130 interrupted.\n");
}

/* ---- arguments ----------------------------------------------------------------- */

static const chk_case_t *find_case(const check_t *k, const char *name)
{
    for (size_t i = 0; i < k->ncases; i++)
        if (!strcmp(k->cases[i].name, name))
            return &k->cases[i];
    return NULL;
}

/* Takes the value of --opt VALUE or --opt=VALUE. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t l = strlen(name);
    if (!strncmp(argv[*i], name, l) && argv[*i][l] == '=')
        return argv[*i] + l + 1;
    if (!strcmp(argv[*i], name) && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

/* The options that take a value, as --opt VALUE or --opt=VALUE. */
enum { OPT_DIR, OPT_EXPECT, OPT_JUNIT, OPT_CASE, NOPT };
static const char *const value_opts[NOPT] = {"--dir", "--hdf5-expect", "--junit", "--case"};

/* The index in value_opts of the option arg names, or -1. */
static int value_option(const char *arg)
{
    for (int i = 0; i < NOPT; i++) {
        size_t l = strlen(value_opts[i]);
        if (!strncmp(arg, value_opts[i], l) && (arg[l] == '\0' || arg[l] == '='))
            return i;
    }
    return -1;
}

/* Returns 0, 1 for --help (done), or EXIT_BAD. */
static int parse_args(check_t *k, int argc, char **argv)
{
    opts_t *o = &k->o;
    char tmp[256];
    int which;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 1;
        } else if (!strcmp(a, "--tap")) {
            o->tap = true;
        } else if (!strcmp(a, "--list")) {
            o->list = true;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            o->quiet = true;
        } else if (!strcmp(a, "--force")) {
            o->force = true;
        } else if (!strcmp(a, "--keep") || !strcmp(a, "--keep-data")) {
            o->keep = true;
        } else if (!strncmp(a, "--keep-data=", 12) || !strncmp(a, "--keep=", 7)) {
            return bad("%.11s takes no value (h5swmr check --help)", a);
        } else if ((which = value_option(a)) >= 0) {
            const char *name = value_opts[which];
            if (!(v = opt_value(argc, argv, &i, name)) || !*v)
                return bad("%s needs a value (h5swmr check --help)", name);
            if (which == OPT_DIR)
                o->dir = v;
            else if (which == OPT_EXPECT)
                o->expect = v;
            else if (which == OPT_JUNIT)
                o->junit = v;
            else if (!find_case(k, v))
                return bad("unknown case '%s' (h5swmr check --list shows the cases)", shown(v, tmp, sizeof tmp));
            else if (o->nonly == MAX_ONLY)
                return bad("too many --case options (at most %d)", MAX_ONLY);
            else
                o->only[o->nonly++] = v;
        } else {
            return bad("unknown argument '%s' (h5swmr check --help)", shown(a, tmp, sizeof tmp));
        }
    }
    if (o->tap && o->quiet)
        o->quiet = false; /* TAP always lists every case */
    return 0;
}

/* ---- expectations -------------------------------------------------------------- */

/* Finds scenarios/expect/hdf5-M.m.expect next to the program (the build tree
 * sits in the source tree: <exe dir>/.. or <exe dir>). */
static bool default_expect_file(const check_t *k, char out[PATH_MAX])
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return false;
    exe[n] = '\0';
    const char *dir = dirname(exe);
    /* next to the program, then the source tree it was built from (a build
     * directory elsewhere, e.g. one per HDF5 version) */
    const char *const base[] = {dir, dir, H5SWMR_SOURCE_DIR};
    static const char *const rel[] = {"../scenarios/expect", "scenarios/expect", "scenarios/expect"};
    for (size_t i = 0; i < 3; i++) {
        char p[PATH_MAX + 64];
        snprintf(p, sizeof p, "%s/%s/hdf5-%s.expect", base[i], rel[i], k->hdf5_mm);
        if (access(p, R_OK) == 0 && realpath(p, out))
            return true;
    }
    return false;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t l = strlen(s);
    while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\r' || s[l - 1] == '\n'))
        s[--l] = '\0';
    return s;
}

/* Reads an expectation file into k->res. Errors: "file:line: message", EXIT_BAD. */
static int load_expect(check_t *k, const char *path, const char *label)
{
    char lab[256];
    shown(label, lab, sizeof lab);
    char refused[256];
    FILE *f = h5s_open_input(path, 1L << 20, refused, sizeof refused);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, rc = 0;
    int *seen_at = calloc(k->ncases, sizeof *seen_at);
    if (!seen_at) {
        if (f)
            fclose(f);
        return bad("out of memory");
    }
    if (!f) {
        free(seen_at);
        return bad("cannot read expectation file '%s': %s", lab, refused);
    }
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (memchr(line, '\0', (size_t)len)) {
            rc = bad("%s:%d: not a text line", lab, lineno);
            break;
        }
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        bool text = true;
        for (const char *q = line; *q && text; q++)
            text = (*q >= 0x20 && *q < 0x7f) || *q == '\t' || *q == '\r' || *q == '\n';
        if (!text) {
            rc = bad("%s:%d: not a text line (comments start with #)", lab, lineno);
            break;
        }
        char *s = trim(line);
        if (!*s)
            continue;
        char *save = NULL;
        char *name = strtok_r(s, " \t", &save);
        char *outcome = strtok_r(NULL, " \t", &save);
        char *extra = strtok_r(NULL, " \t", &save);
        if (!outcome) {
            rc = bad("%s:%d: expected 'case_name outcome', got only '%s'", lab, lineno, name);
            break;
        }
        if (extra) {
            rc = bad("%s:%d: unexpected '%s' after the outcome (comments start with #)", lab, lineno, extra);
            break;
        }
        const chk_case_t *c = find_case(k, name);
        if (!c) {
            rc = bad("%s:%d: unknown case '%s' (h5swmr check --list shows the cases)", lab, lineno, name);
            break;
        }
        size_t i = (size_t)(c - k->cases);
        if (seen_at[i]) {
            rc = bad("%s:%d: case '%s' is listed twice (first on line %d)", lab, lineno, name, seen_at[i]);
            break;
        }
        const char *why = "";
        if (!chk_expect_valid(outcome, &why)) {
            rc = bad("%s:%d: bad outcome '%s' for case '%s': %s", lab, lineno, outcome, name, why);
            break;
        }
        seen_at[i] = lineno;
        snprintf(k->res[i].expected, sizeof k->res[i].expected, "%s", outcome);
        snprintf(k->res[i].source, sizeof k->res[i].source, "%.1100s:%d", lab, lineno);
    }
    if (rc == 0 && ferror(f))
        rc = bad("cannot read expectation file '%s': %s", lab, strerror(errno));
    free(line);
    free(seen_at);
    fclose(f);
    return rc;
}

static int setup_expectations(check_t *k)
{
    char tmp[256];
    for (size_t i = 0; i < k->ncases; i++) {
        snprintf(k->res[i].expected, sizeof k->res[i].expected, "%s", k->cases[i].dflt);
        snprintf(k->res[i].source, sizeof k->res[i].source, "built-in");
    }
    if (k->o.expect && !strcmp(k->o.expect, "builtin")) {
        k->expect_file[0] = '\0';
        return 0;
    }
    if (k->o.expect) {
        if (!realpath(k->o.expect, k->expect_file))
            return bad("cannot read expectation file '%s': %s", shown(k->o.expect, tmp, sizeof tmp), strerror(errno));
    } else if (!default_expect_file(k, k->expect_file)) {
        k->expect_file[0] = '\0';
        return 0;
    }
    return load_expect(k, k->expect_file, k->o.expect ? k->o.expect : k->expect_file);
}

/* ---- the data directory -------------------------------------------------------- */

static void rm_tree(const char *dir)
{
    if (dir[0])
        h5s_rm_rf(dir);
}

static int make_workdir(check_t *k)
{
    const char *base = k->o.dir ? k->o.dir : "/tmp";
    char tmp[256];
    struct stat st;
    if (stat(base, &st) != 0)
        return bad("data directory '%s': %s", shown(base, tmp, sizeof tmp), strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return bad("data directory '%s' is not a directory", shown(base, tmp, sizeof tmp));
    if (access(base, W_OK | X_OK) != 0)
        return bad("data directory '%s' is not writable", shown(base, tmp, sizeof tmp));
    if (snprintf(k->workdir, sizeof k->workdir, "%s/h5swmr-check-XXXXXX", base) >= (int)sizeof k->workdir - 64)
        return bad("data directory path too long");
    if (!mkdtemp(k->workdir)) {
        int e = errno;
        k->workdir[0] = '\0';
        return bad("cannot create a directory in '%s': %s", shown(base, tmp, sizeof tmp), strerror(e));
    }
    chk_fs_name(k->workdir, k->fs, sizeof k->fs);
    return 0;
}

/* ---- running one case ------------------------------------------------------------ */

/* In the case process: never returns. */
static void case_child(const check_t *k, const chk_case_t *c, const char *dir, int wfd)
{
    char log[PATH_MAX + 16];
    chk_outcome_t o;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    setpgid(0, 0);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    sigprocmask(SIG_SETMASK, &k->oldmask, NULL);
    /* what processes of the case print goes to its log, not into the report */
    snprintf(log, sizeof log, "%s/case.log", dir);
    int lfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (lfd >= 0) {
        dup2(lfd, STDOUT_FILENO);
        dup2(lfd, STDERR_FILENO);
    }
    if (dup2(wfd, 3) < 0)
        _exit(1);
    close_range(4, ~0U, 0);
    setvbuf(stdout, NULL, _IOLBF, 0);
    memset(&o, 0, sizeof o);
    if (h5s_hdf5_quiet() < 0) {
        snprintf(o.token, sizeof o.token, "error:H5S_EHDF5");
        snprintf(o.detail, sizeof o.detail, "cannot initialise HDF5");
    } else {
        chk_env_t env = {.dir = dir, .fs = k->fs};
        c->fn(&env, &o);
        /* one line each, whatever HDF5's messages hold (some carry a newline) */
        char *const lines[] = {o.detail, o.why, o.retry_note, o.frequency};
        for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
            for (char *q = lines[i]; *q; q++)
                if ((unsigned char)*q < 0x20)
                    *q = ' ';
        if (!o.token[0]) {
            snprintf(o.token, sizeof o.token, "error:internal");
            snprintf(o.detail, sizeof o.detail, "the case reported no outcome");
        }
    }
    fflush(stdout);
    fflush(stderr);
    _exit(h5s_write_full(3, &o, sizeof o) == 0 ? 0 : 1);
}

/* Waits until the case process has exited (at most ms). 1 exited, 0 not yet. */
static int wait_exit(pid_t pid, int pidfd, int ms)
{
    if (pidfd >= 0)
        return h5s_wait_readable(pidfd, h5s_now_ns() + (int64_t)ms * 1000000) > 0;
    (void)pid;
    return 1; /* no pidfd: waitpid below blocks (the process is killed or ending) */
}

/* Reads pending signals; true when one of them is SIGINT or SIGTERM. */
static bool drain_signals(int sfd)
{
    struct signalfd_siginfo si;
    bool stop = false;
    while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
        stop |= si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM;
    return stop;
}

/* Kills what is left of a case's process group (helpers, orchestrated
 * children) and reaps every member: this process is their subreaper. Waits
 * for SIGCHLD at most 5 s in all. Returns true if SIGINT/SIGTERM arrived. */
static bool reap_group(check_t *k, pid_t pgid)
{
    int64_t deadline = h5s_now_ns() + 5000000000LL;
    bool stop = false;
    kill(-pgid, SIGKILL);
    for (;;) {
        int st;
        pid_t r = waitpid(-pgid, &st, WNOHANG);
        if (r > 0)
            continue;
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || h5s_wait_readable(k->sfd, deadline) <= 0)
            break; /* none left (ECHILD), or the bound */
        stop |= drain_signals(k->sfd);
    }
    return stop;
}

/* Runs case c; fills r. Returns 0, or EXIT_INTR when SIGINT/SIGTERM arrived. */
static int run_case(check_t *k, result_t *r)
{
    const chk_case_t *c = r->c;
    char dir[PATH_MAX];
    int p[2];
    chk_outcome_t *o = &r->seen;
    int64_t t0 = h5s_now_ns();
    memset(o, 0, sizeof *o);
    r->ran = true;
    snprintf(dir, sizeof dir, "%.3900s/%.100s", k->workdir, c->name);
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    if (mkdir(dir, 0755) != 0 || pipe2(p, O_CLOEXEC) != 0) {
        snprintf(o->token, sizeof o->token, "error:H5S_ESYS");
        snprintf(o->detail, sizeof o->detail, "%.900s: %s", dir, strerror(errno));
        return 0;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        snprintf(o->token, sizeof o->token, "error:H5S_ESYS");
        snprintf(o->detail, sizeof o->detail, "fork: %s", strerror(errno));
        return 0;
    }
    if (pid == 0)
        case_child(k, c, dir, p[1]);
    setpgid(pid, pid); /* also in the child: whichever runs first */
    close(p[1]);
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    int64_t deadline = t0 + (int64_t)c->timeout_s * 1000000000LL;
    bool got = false, timed_out = false, intr = false;
    for (;;) {
        struct pollfd pf[2] = {{.fd = p[0], .events = POLLIN}, {.fd = k->sfd, .events = POLLIN}};
        int64_t left = deadline - h5s_now_ns();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        struct timespec ts = {left / 1000000000, left % 1000000000};
        int n = ppoll(pf, 2, &ts, NULL);
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0 && (pf[1].revents & POLLIN) && drain_signals(k->sfd)) {
            intr = true;
            break;
        }
        if (n > 0 && (pf[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            got = h5s_read_full(p[0], o, sizeof *o, deadline) == (ssize_t)sizeof *o;
            break;
        }
    }
    close(p[0]);
    /* the case process and every helper it left behind: one process group */
    if (timed_out || intr || !wait_exit(pid, pidfd, 10000)) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        wait_exit(pid, pidfd, 10000);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    intr |= reap_group(k, pid); /* strays of the group, if any */
    if (pidfd >= 0)
        close(pidfd);
    r->secs = (double)(h5s_now_ns() - t0) / 1e9;
    if (intr) {
        snprintf(o->token, sizeof o->token, "error:interrupted");
        snprintf(o->detail, sizeof o->detail, "interrupted by a signal");
    } else if (timed_out) {
        snprintf(o->token, sizeof o->token, "timeout");
        snprintf(o->detail, sizeof o->detail, "the case did not finish within %d s and was killed", c->timeout_s);
    } else if (WIFSIGNALED(st)) {
        const char *sig = sigabbrev_np(WTERMSIG(st));
        snprintf(o->token, sizeof o->token, "crashed:SIG%s", sig ? sig : "?");
        snprintf(o->detail, sizeof o->detail, "the case process was killed by signal %d (%s)", WTERMSIG(st),
                 strsignal(WTERMSIG(st)));
    } else if (!got) {
        snprintf(o->token, sizeof o->token, "error:no-result");
        snprintf(o->detail, sizeof o->detail, "the case process ended (exit %d) without reporting an outcome",
                 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    }
    o->token[sizeof o->token - 1] = '\0';
    o->detail[sizeof o->detail - 1] = '\0';
    o->why[sizeof o->why - 1] = '\0';
    o->retry_note[sizeof o->retry_note - 1] = '\0';
    o->frequency[sizeof o->frequency - 1] = '\0';
    r->ok = !intr && chk_expect_matches(r->expected, o->token);
    /* disk hygiene: the data of a case that went as expected goes, unless
     * --keep-data; a case that differs keeps it, for a look */
    r->kept = k->o.keep || (!r->ok && !intr);
    if (!r->kept)
        rm_tree(dir);
    return intr ? EXIT_INTR : 0;
}

/* ---- output ---------------------------------------------------------------------- */

static const char *why_of(const result_t *r)
{
    return r->seen.why[0] ? r->seen.why : r->c->why;
}

static void print_header(const check_t *k, size_t nsel)
{
    char dir[PATH_MAX], ex[PATH_MAX];
    shown(k->workdir, dir, sizeof dir);
    shown(k->expect_file[0] ? k->expect_file : "built-in (HDF5 1.10.8)", ex, sizeof ex);
    if (k->o.tap) {
        printf("TAP version 13\n");
        printf("# h5swmr %s, HDF5 %s, data directory %s (%s), expectations %s\n", H5SWMR_VERSION, k->hdf5, dir, k->fs,
               ex);
        printf("1..%zu\n", nsel);
    } else {
        printf("h5swmr check: HDF5 %s, data directory %s (%s)\n", k->hdf5, dir, k->fs);
        printf("expectations: %s\n", ex);
        if (!k->o.quiet)
            printf("\n%-26s %-*s %-*s %-7s %s\n", "CASE", k->width, "EXPECTED", k->width, "SEEN", "VERDICT", "TIME");
    }
    fflush(stdout);
}

/* A YAML double-quoted scalar. */
static void yaml_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\x%02x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

/* Where a case's outcome comes from, for reports: "h5swmr" for h5swmr's own
 * guards, "hdf5" for HDF5 (the guide's and HDF5's rules, integrity runs), "filesystem". */
static const char *decided_by(const chk_case_t *c)
{
    return !strcmp(c->group, "h5swmr") ? "h5swmr" : !strcmp(c->group, "filesystem") ? "filesystem" : "hdf5";
}

/* A line that opens a group of cases (the table, and a TAP comment). */
static void print_group(const check_t *k, const char *group)
{
    const char *t = chk_group_title(group);
    if (k->o.tap)
        printf("# group %s: %s\n", group, t ? t : group);
    else if (!k->o.quiet)
        printf("\n-- %s: %s\n", group, t ? t : group);
}

static void print_result(const check_t *k, const result_t *r, size_t num)
{
    const chk_outcome_t *o = &r->seen;
    char where[PATH_MAX];
    shown(r->dir, where, sizeof where);
    if (k->o.tap) {
        if (r->ok)
            printf("ok %zu - %s # %s\n", num, r->c->name, o->token);
        else
            printf("not ok %zu - %s # expected %s, seen %s\n", num, r->c->name, r->expected, o->token);
        /* diagnostics a TAP consumer shows even without the YAML block */
        if (o->retries)
            printf("# %s: retried %d time%s: %s\n", r->c->name, o->retries, o->retries == 1 ? "" : "s", o->retry_note);
        if (o->frequency[0])
            printf("# %s: %s\n", r->c->name, o->frequency);
        if (r->kept && !r->ok)
            printf("# %s: data kept in %s\n", r->c->name, where);
        printf("  ---\n  group: %s\n  decided_by: %s\n  expected: ", r->c->group, decided_by(r->c));
        yaml_str(stdout, r->expected);
        printf("\n  seen: ");
        yaml_str(stdout, o->token);
        printf("\n  expectation_from: ");
        yaml_str(stdout, r->source);
        printf("\n  detail: ");
        yaml_str(stdout, o->detail);
        printf("\n  explanation: ");
        yaml_str(stdout, why_of(r));
        printf("\n  retries: %d", o->retries);
        if (o->retries) {
            printf("\n  retry_note: ");
            yaml_str(stdout, o->retry_note);
        }
        if (o->frequency[0]) {
            printf("\n  frequency: ");
            yaml_str(stdout, o->frequency);
        }
        if (r->kept) {
            printf("\n  data_kept: ");
            yaml_str(stdout, where);
        }
        printf("\n  duration_s: %.3f\n  ...\n", r->secs);
    } else if (!k->o.quiet || !r->ok) {
        printf("%-26s %-*s %-*s %-7s %6.2fs\n", r->c->name, k->width, r->expected, k->width, o->token,
               r->ok ? "ok" : "DIFF", r->secs);
        printf("    why:  %s\n", why_of(r));
        printf("    saw:  %s\n", o->detail);
        if (o->frequency[0])
            printf("    freq: %s\n", o->frequency);
        if (o->retries)
            printf("    retry: %d time%s: %s\n", o->retries, o->retries == 1 ? "" : "s", o->retry_note);
        if (!r->ok)
            printf("    diff: expected %s (%s), seen %s\n", r->expected, r->source, o->token);
        if (r->kept && !r->ok)
            printf("    data: kept in %s\n", where);
    }
    fflush(stdout);
}

/* "by group: h5swmr 3/3, guide 6/6, ..." (as expected / run), into buf. */
static const char *group_counts(const check_t *k, char *buf, size_t cap)
{
    size_t l = (size_t)snprintf(buf, cap, "by group:");
    for (size_t i = 0; i < k->ncases && l < cap; i++) {
        bool first = true;
        for (size_t j = 0; j < i && first; j++)
            first = strcmp(k->cases[j].group, k->cases[i].group) != 0;
        if (!first)
            continue;
        size_t run = 0, ok = 0;
        for (size_t j = i; j < k->ncases; j++)
            if (!strcmp(k->cases[j].group, k->cases[i].group) && k->res[j].ran) {
                run++;
                ok += k->res[j].ok;
            }
        if (run)
            l += (size_t)snprintf(buf + l, cap - l, "%s %s %zu/%zu", l > 9 ? "," : "", k->cases[i].group, ok, run);
    }
    if (l < cap)
        snprintf(buf + l, cap - l, " as expected (h5swmr: h5swmr's own guards, not HDF5)");
    return buf;
}

static void print_summary(const check_t *k, size_t nsel, size_t nrun, size_t ndiff, double secs)
{
    char groups[512];
    group_counts(k, groups, sizeof groups);
    if (k->o.tap) {
        printf("# %zu cases: %zu as expected, %zu differ%s (%.1f s)\n", nrun, nrun - ndiff, ndiff,
               k->interrupted ? ", interrupted" : "", secs);
        printf("# %s\n", groups);
    } else {
        printf("\n%zu case%s: %zu as expected, %zu differ", nrun, nrun == 1 ? "" : "s", nrun - ndiff, ndiff);
        if (nrun < nsel)
            printf(", %zu not run", nsel - nrun);
        printf("%s (%.1f s)\n", k->interrupted ? ", interrupted" : "", secs);
        printf("%s\n", groups);
        for (size_t i = 0; i < k->ncases; i++) {
            const result_t *r = &k->res[i];
            if (r->ran && !r->ok)
                printf("  DIFF %s: expected %s, seen %s\n", r->c->name, r->expected, r->seen.token);
        }
    }
    fflush(stdout);
}

/* Writes text with XML escapes; bytes that are not valid UTF-8 or not allowed
 * in XML 1.0 become '?'. */
static void xml_str(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char ch = *p;
        if (ch < 0x80) {
            if (ch == '&')
                fputs("&amp;", f);
            else if (ch == '<')
                fputs("&lt;", f);
            else if (ch == '>')
                fputs("&gt;", f);
            else if (ch == '"')
                fputs("&quot;", f);
            else if (ch == '\'')
                fputs("&apos;", f);
            else if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
                fputc('?', f);
            else
                fputc(ch, f);
            p++;
            continue;
        }
        int n = ch >= 0xF0 && ch <= 0xF4 ? 4 : ch >= 0xE0 ? 3 : ch >= 0xC2 && ch <= 0xDF ? 2 : 0;
        int ok = n > 0;
        for (int i = 1; ok && i < n; i++)
            ok = (p[i] & 0xC0) == 0x80;
        if (ok && n == 3 &&
            ((ch == 0xE0 && p[1] < 0xA0) || (ch == 0xED && p[1] >= 0xA0) ||
             (ch == 0xEF && p[1] == 0xBF && p[2] >= 0xBE)))
            ok = 0; /* overlong, surrogate, U+FFFE/FFFF */
        if (ok && n == 4 && ((ch == 0xF0 && p[1] < 0x90) || (ch == 0xF4 && p[1] >= 0x90)))
            ok = 0;
        if (ok) {
            fwrite(p, 1, (size_t)n, f);
            p += n;
        } else {
            fputc('?', f);
            p++;
        }
    }
}

static int write_junit(const check_t *k, double secs)
{
    char tmp[PATH_MAX + 8], stamp[32], host[256] = "localhost";
    size_t tests = 0, failures = 0, errors = 0;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    gethostname(host, sizeof host - 1);
    for (size_t i = 0; i < k->ncases; i++) {
        const result_t *r = &k->res[i];
        if (!r->ran)
            continue;
        tests++;
        if (!r->ok && (!strncmp(r->seen.token, "error:", 6) || !strcmp(r->seen.token, "timeout") ||
                       !strncmp(r->seen.token, "crashed:", 8)))
            errors++;
        else if (!r->ok)
            failures++;
    }
    char msg[PATH_MAX + 128];
    FILE *f = h5s_output_begin(k->o.junit, tmp, sizeof tmp, msg, sizeof msg);
    if (!f)
        return bad("--junit: %s", msg);
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuites name=\"h5swmr check\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n",
            tests, failures, errors, secs);
    fprintf(f,
            "  <testsuite name=\"h5swmr.check\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\" "
            "time=\"%.3f\" timestamp=\"%s\" hostname=\"",
            tests, failures, errors, secs, stamp);
    xml_str(f, host);
    fprintf(f, "\">\n    <properties>\n");
    const char *props[][2] = {{"h5swmr", H5SWMR_VERSION},
                              {"hdf5", k->hdf5},
                              {"data_directory", k->workdir},
                              {"file_system", k->fs},
                              {"expectations", k->expect_file[0] ? k->expect_file : "built-in (HDF5 1.10.8)"}};
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++) {
        fprintf(f, "      <property name=\"%s\" value=\"", props[i][0]);
        xml_str(f, props[i][1]);
        fprintf(f, "\"/>\n");
    }
    fprintf(f, "    </properties>\n");
    for (size_t i = 0; i < k->ncases; i++) {
        const result_t *r = &k->res[i];
        if (!r->ran)
            continue;
        fprintf(f, "    <testcase classname=\"h5swmr.check.%s\" name=\"%s\" time=\"%.3f\">\n", r->c->group, r->c->name,
                r->secs);
        char num[32];
        snprintf(num, sizeof num, "%d", r->seen.retries);
        const char *tprops[][2] = {{"group", r->c->group},
                                   {"decided_by", decided_by(r->c)},
                                   {"expected", r->expected},
                                   {"retries", num},
                                   {"retry_note", r->seen.retry_note},
                                   {"frequency", r->seen.frequency},
                                   {"data_kept", r->kept ? r->dir : ""}};
        fprintf(f, "      <properties>\n");
        for (size_t p = 0; p < sizeof tprops / sizeof tprops[0]; p++) {
            if (!tprops[p][1][0])
                continue;
            fprintf(f, "        <property name=\"%s\" value=\"", tprops[p][0]);
            xml_str(f, tprops[p][1]);
            fprintf(f, "\"/>\n");
        }
        fprintf(f, "      </properties>\n");
        if (!r->ok) {
            bool err = !strncmp(r->seen.token, "error:", 6) || !strcmp(r->seen.token, "timeout") ||
                       !strncmp(r->seen.token, "crashed:", 8);
            fprintf(f, "      <%s message=\"expected ", err ? "error" : "failure");
            xml_str(f, r->expected);
            fprintf(f, ", seen ");
            xml_str(f, r->seen.token);
            fprintf(f, "\" type=\"unexpected-outcome\">expected: ");
            xml_str(f, r->expected);
            fprintf(f, " (");
            xml_str(f, r->source);
            fprintf(f, ")\nseen: ");
            xml_str(f, r->seen.token);
            fprintf(f, "\ndetail: ");
            xml_str(f, r->seen.detail);
            fprintf(f, "</%s>\n", err ? "error" : "failure");
        }
        fprintf(f, "      <system-out>");
        xml_str(f, r->c->desc);
        fprintf(f, "\nexpected: ");
        xml_str(f, r->expected);
        fprintf(f, "\nseen: ");
        xml_str(f, r->seen.token);
        fprintf(f, "\ndetail: ");
        xml_str(f, r->seen.detail);
        fprintf(f, "\nwhy: ");
        xml_str(f, why_of(r));
        fprintf(f, "\ndecided by: %s", decided_by(r->c));
        if (r->seen.frequency[0]) {
            fprintf(f, "\nfrequency: ");
            xml_str(f, r->seen.frequency);
        }
        if (r->seen.retries) {
            fprintf(f, "\nretries: %d: ", r->seen.retries);
            xml_str(f, r->seen.retry_note);
        }
        if (r->kept) {
            fprintf(f, "\ndata kept: ");
            xml_str(f, r->dir);
        }
        fprintf(f, "</system-out>\n    </testcase>\n");
    }
    fprintf(f, "  </testsuite>\n</testsuites>\n");
    if (h5s_output_commit(f, tmp, k->o.junit, k->o.force, msg, sizeof msg) != 0)
        return bad("--junit: %s", msg);
    return 0;
}

/* ---- the command ------------------------------------------------------------------- */

static int list_cases(const check_t *k)
{
    for (size_t i = 0; i < k->ncases; i++) {
        const result_t *r = &k->res[i];
        if (!r->selected)
            continue;
        printf("%-26s %-10s %s\n", r->c->name, r->c->group, r->c->desc);
        printf("%-26s %-10s expected: %s (%s)\n", "", "", r->expected, r->source);
    }
    return 0;
}

/* Refuses a --junit destination before any case runs: its directory must
 * exist and be writable, and the file must be new (or, with --force, an
 * existing regular file). */
static int check_junit_dir(const char *file, bool force)
{
    char tmp[PATH_MAX], msg[PATH_MAX + 128], a[PATH_MAX + 128];
    snprintf(tmp, sizeof tmp, "%s", file);
    const char *dir = dirname(tmp);
    if (h5s_output_ok(file, force, msg, sizeof msg) != 0)
        return bad("--junit: %s", shown(msg, a, sizeof a));
    if (access(dir, W_OK) != 0)
        return bad("--junit %s: directory '%s' is not writable", shown(file, a, sizeof a), dir);
    return 0;
}

static int run_all(check_t *k)
{
    size_t nsel = 0, nrun = 0, ndiff = 0, num = 0;
    int64_t t0 = h5s_now_ns();
    int w = 20;
    for (size_t i = 0; i < k->ncases; i++)
        if (k->res[i].selected) {
            nsel++;
            int l = (int)strlen(k->res[i].expected);
            if (l > w)
                w = l;
        }
    k->width = w > 36 ? 36 : w;
    print_header(k, nsel);
    const char *group = NULL;
    for (size_t i = 0; i < k->ncases && !k->interrupted; i++) {
        result_t *r = &k->res[i];
        if (!r->selected)
            continue;
        if (!group || strcmp(group, r->c->group))
            print_group(k, group = r->c->group);
        if (run_case(k, r) == EXIT_INTR) {
            k->interrupted = true;
            r->ran = false;
            break;
        }
        nrun++;
        ndiff += !r->ok;
        print_result(k, r, ++num);
    }
    double secs = (double)(h5s_now_ns() - t0) / 1e9;
    if (k->o.tap && k->interrupted)
        printf("Bail out! interrupted\n");
    print_summary(k, nsel, nrun, ndiff, secs);
    int rc = k->interrupted ? EXIT_INTR : ndiff ? EXIT_DIFF : 0;
    if (k->o.junit && write_junit(k, secs) != 0 && rc == 0)
        rc = EXIT_DIFF;
    return rc;
}

int cmd_check(int argc, char **argv)
{
    check_t k;
    sigset_t mask;
    unsigned maj, min, rel;
    int rc;
    size_t kept = 0;
    if (argc == 4 && !strcmp(argv[2], "--probe-helper"))
        return chk_probe_main(argv[3]); /* internal: file_locking_env's fresh prober */
    memset(&k, 0, sizeof k);
    k.sfd = -1;
    k.cases = chk_cases(&k.ncases);
    if ((rc = parse_args(&k, argc, argv)) != 0)
        return rc == 1 ? 0 : rc;
    /* H5get_libversion does not start HDF5's file package, so case processes
     * forked from here still read HDF5_USE_FILE_LOCKING when they start it */
    H5get_libversion(&maj, &min, &rel);
    snprintf(k.hdf5, sizeof k.hdf5, "%u.%u.%u", maj, min, rel);
    snprintf(k.hdf5_mm, sizeof k.hdf5_mm, "%u.%u", maj, min);
    if (!(k.res = calloc(k.ncases, sizeof *k.res)))
        return bad("out of memory");
    for (size_t i = 0; i < k.ncases; i++) {
        k.res[i].c = &k.cases[i];
        k.res[i].selected = k.o.nonly == 0;
        for (size_t j = 0; j < k.o.nonly; j++)
            if (!strcmp(k.o.only[j], k.cases[i].name))
                k.res[i].selected = true;
    }
    if ((rc = setup_expectations(&k)) != 0)
        goto out;
    if (k.o.list) {
        rc = list_cases(&k);
        goto out;
    }
    if (k.o.junit && (rc = check_junit_dir(k.o.junit, k.o.force)) != 0)
        goto out;
    if ((rc = make_workdir(&k)) != 0)
        goto out;
    /* SIGINT/SIGTERM stop the run; SIGCHLD wakes reap_group. Processes a
     * killed case leaves behind become this process's children (subreaper). */
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &mask, &k.oldmask) != 0 ||
        (k.sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 || prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
        rc = bad("cannot set up signal handling: %s", strerror(errno));
        goto out;
    }
    rc = run_all(&k);
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    for (size_t i = 0; i < k.ncases; i++)
        kept += k.res[i].ran && k.res[i].kept;
    if (k.o.keep) {
        fprintf(k.o.tap ? stderr : stdout, "data directory kept: %s\n", k.workdir);
    } else if (kept) {
        /* the data of cases that differ stays; everything else is gone */
        FILE *o = k.o.tap ? stderr : stdout;
        fprintf(o, "data of %zu case%s that differ kept in %s:\n", kept, kept == 1 ? "" : "s", k.workdir);
        for (size_t i = 0; i < k.ncases; i++)
            if (k.res[i].ran && k.res[i].kept)
                fprintf(o, "  %s\n", k.res[i].dir);
    }
out:
    if (k.workdir[0] && !k.o.keep && !kept)
        rm_tree(k.workdir);
    if (k.sfd >= 0) {
        close(k.sfd);
        sigprocmask(SIG_SETMASK, &k.oldmask, NULL);
    }
    free(k.res);
    return rc;
}

const cli_cmd_t cmd_check_def = {
    .name = "check",
    .synopsis = "[--tap|--junit FILE] [--case NAME]... [--dir DIR] [--keep-data]",
    .summary = "conformance suite: does SWMR behave as expected here?",
    .handler = cmd_check,
    .needs_hdf5 = true,
};
