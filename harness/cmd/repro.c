/* repro.c - h5swmr repro: writes out a standalone reproducer of an HDF5
 * defect that h5swmr found (one C file using only HDF5 and libc, its one-line
 * build command and a README.txt), embedded from harness/repro/ at build time. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "util.h"

/* One embedded C source: its name (the file's, without .c) and its bytes. */
typedef struct repro_source {
    const char *name;
    const unsigned char *text;
    size_t len;
} repro_source_t;

#include "repro_sources.h"

/* What each reproducer's README.txt says beyond its C file's own comment. */
typedef struct repro_info {
    const char *name;
    const char *what;     /* one line for --list */
    const char *promise;  /* what HDF5 promises or documents */
    const char *observed; /* what happens, on which versions */
    const char *libs;     /* extra link flags for BUILD, or "" */
} repro_info_t;

static const repro_info_t repro_infos[] = {
    {"h5orefresh-dense-links",
     "an SWMR reader's H5Orefresh + H5Literate of a held group fails once the writer adds links past dense storage",
     "H5Orefresh is documented to refresh an open object's metadata from the file, so that an SWMR reader sees "
     "what the writer has flushed; after the writer's H5Fflush the refreshed group should iterate, with the new "
     "links. Creating objects in SWMR mode is outside HDF5 1.10's SWMR guarantees, which is why h5swmr's writer "
     "never does it during a session; the reproducer shows what a reader holding the group meets then.",
     "HDF5 1.10.8 (seen by h5swmr here): the iteration of the refreshed group fails as the group passes 8 links "
     "and moves to dense storage ('address of object past end of allocation' opening its fractal heap: exit 1); "
     "in h5swmr's longer runs the same reader crashed inside H5Literate (SIGSEGV or SIGABRT), on 1.10.8 and "
     "1.14.6 alike (h5swmr's docs/findings.md). This program itself on 1.14.6: not checked.",
     ""},
    {"h5clear-s-loses-appends",
     "after an SWMR writer is killed, plain 'h5clear -s' loses the appended data; '--increment=0' keeps it",
     "Data an SWMR writer has flushed (H5Dflush) is in the file; 'h5clear -s' is documented as clearing the "
     "superblock's status flags so that a file whose writer died can be opened again.",
     "HDF5 1.10.8 (seen by h5swmr here): plain 'h5clear -s' leaves the superblock's stale end-of-allocation and "
     "its own close truncates the file to it: every element appended in SWMR mode is lost (exit 1); "
     "'h5clear -s --increment=0' keeps them all. 1.14.6: the conformance case crash_recovery expects the same "
     "(scenarios/expect); this program itself on 1.14.6: not checked.",
     ""},
    {"dflush-quadratic", "H5Dflush of each of N datasets costs N^2 per round (growth exponent, 100 vs 800 datasets)",
     "H5Dflush flushes one dataset's buffers and metadata; flushing each of N datasets should cost about N times "
     "one flush.",
     "HDF5 1.10.8 (seen by h5swmr here): the round grows quadratically, exponent about 2.1 (about 200 us per "
     "dataset at 800-1000 datasets): exit 1. HDF5 1.14.6 (h5swmr's version matrix, docs/ci.md): linear, about "
     "14 ms per round at 1000 datasets (HDF5 issue 3084, fixed after 1.10.8); this program itself on 1.14.6: "
     "not checked.",
     " -lm"},
    {"reader-open-race",
     "an SWMR reader's H5Fopen is refused ('truncated file') while the writer is in SWMR-write mode",
     "Once the writer has called H5Fstart_swmr_write, SWMR readers may open the file at any time (HDF5's SWMR "
     "user guide); a file a live writer keeps consistent for readers should open.",
     "HDF5 1.10.8 (seen by h5swmr here): some opens are refused with 'truncated file: eof < stored_eof', mostly "
     "the first ones right after the writer entered SWMR-write mode (5 refusals within the first runs, 0.2 s: "
     "exit 1); h5swmr's conformance case reader_open_race saw a few percent of opens refused. HDF5 1.14.6 "
     "(h5swmr's docs/findings.md): none refused in about 30,000 opens; this program itself on 1.14.6: not checked.",
     ""},
    {"swmr-reader-retry-hang",
     "an SWMR reader's H5Dopen2 of a dataset with a damaged object header hangs in HDF5's read retries",
     "H5Pset_metadata_read_attempts documents that an SWMR reader retries a metadata read whose checksum fails "
     "(100 attempts by default, 1 without SWMR) to ride out a writer's partial writes; it says nothing of a wait "
     "that grows without bound, and a damaged entry should end in an error.",
     "HDF5 1.10.8 (seen by h5swmr here): the plain reader's H5Dopen2 fails at once; the SWMR reader's is still "
     "inside the call after 2 s (the wait between attempts doubles from 1 ns: the 30th sleep is 0.5 s, the 40th "
     "9 minutes; h5swmr measured over 100 s in one H5Dopen2): exit 1. With H5Pset_metadata_read_attempts(10) it "
     "fails at once. 1.14.6: not checked.",
     ""},
};

#define N_INFOS (sizeof repro_infos / sizeof repro_infos[0])
#define N_SOURCES (sizeof repro_sources / sizeof repro_sources[0])

/* One line on stderr, the exit status returned. */
#define fail(code, ...) h5s_cli_fail("repro", code, __VA_ARGS__)

static const cli_opt_t repro_opts[] = {
    {"list", 0, NULL, "list the reproducers and exit"},
    {"all", 0, NULL, "write every reproducer, each into DIR/NAME/"},
    {"out", 0, "DIR", "the directory to write into: must not exist, or be an empty directory"},
    {NULL, 0, NULL, NULL},
};

/* The README.txt facts of the reproducer name, or NULL. */
static const repro_info_t *info_of(const char *name)
{
    for (size_t i = 0; i < N_INFOS; i++)
        if (!strcmp(repro_infos[i].name, name))
            return &repro_infos[i];
    return NULL;
}

/* The embedded source of the reproducer name, or NULL. */
static const repro_source_t *source_of(const char *name)
{
    for (size_t i = 0; i < N_SOURCES; i++)
        if (!strcmp(repro_sources[i].name, name))
            return &repro_sources[i];
    return NULL;
}

/* Creates file in the directory dfd (shown as dir; never over anything, never
 * through a link) holding len bytes of text: 0, or the exit status after one
 * message. */
static int put_file(int dfd, const char *dir, const char *file, const void *text, size_t len)
{
    int fd = openat(dfd, file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return fail(1, "cannot create %s/%s: %s", dir, file, strerror(errno));
    int rc = h5s_write_full(fd, text, len);
    if (close(fd) != 0)
        rc = -1;
    if (rc != 0)
        return fail(1, "cannot write %s/%s: %s", dir, file, strerror(errno));
    return 0;
}

/* Writes reproducer src's NAME.c, BUILD and README.txt into the empty
 * directory dfd (shown as dir): 0 or the exit status after one message. */
static int write_one(int dfd, const char *dir, const repro_source_t *src, const repro_info_t *in)
{
    char file[256], text[8192];
    snprintf(file, sizeof file, "%s.c", src->name);
    int rc = put_file(dfd, dir, file, src->text, src->len);
    if (rc)
        return rc;
    snprintf(text, sizeof text,
             "cc -o %s %s.c $(pkg-config --cflags --libs hdf5-serial 2>/dev/null || pkg-config --cflags --libs "
             "hdf5)%s || h5cc -o %s %s.c%s\n",
             src->name, src->name, in->libs, src->name, src->name, in->libs);
    if ((rc = put_file(dfd, dir, "BUILD", text, strlen(text))))
        return rc;
    snprintf(text, sizeof text,
             "%s - a standalone reproducer written by h5swmr %s (h5swmr repro %s)\n\n"
             "What it does\n  %s. %s.c says how, step by step, in its opening comment;\n"
             "  it uses only HDF5 and the C library (no h5swmr code), one program that forks\n"
             "  where two processes are needed, and removes its scratch files.\n\n"
             "What HDF5 promises or documents\n  %s\n\n"
             "What happens\n  %s\n\n"
             "Build and run\n  sh BUILD && ./%s; echo $?\n\n"
             "Exit status\n  0  HDF5 behaves as promised\n  1  the defect is reproduced\n"
             "  2  could not run (setup failed, a tool missing)\n",
             src->name, H5SWMR_VERSION, src->name, in->what, src->name, in->promise, in->observed, src->name);
    return put_file(dfd, dir, "README.txt", text, strlen(text));
}

/* Whether dir may be written into: it does not exist (made here, its parent
 * must exist) or is an empty directory that is not a symbolic link. 0, or the
 * exit status after one message (nothing created). */
static int check_out(const char *dir, bool *exists)
{
    struct stat st;
    *exists = false;
    if (lstat(dir, &st) != 0) {
        if (errno != ENOENT)
            return fail(2, "cannot use --out %s: %s", dir, strerror(errno));
        return 0;
    }
    if (S_ISLNK(st.st_mode))
        return fail(2, "--out %s is a symbolic link: refused, never followed", dir);
    if (!S_ISDIR(st.st_mode))
        return fail(2, "--out %s exists and is not a directory: refused (it must not exist, or be empty)", dir);
    DIR *d = opendir(dir);
    if (!d)
        return fail(2, "cannot read --out %s: %s", dir, strerror(errno));
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    if (n)
        return fail(2, "--out %s is not empty: refused (nothing is ever overwritten)", dir);
    *exists = true; /* an empty directory: used as it is */
    return 0;
}

/* Opens directory name in at, never through a link: its descriptor, or -1
 * with *rc the exit status after one message. */
static int open_dir(int at, const char *name, const char *shown, int *rc)
{
    int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        *rc = fail(errno == ELOOP || errno == ENOTDIR ? 2 : 1, "cannot open %s: %s", shown, strerror(errno));
    return fd;
}

/* Makes directory name in at (not over anything) and opens it, never through
 * a link: its descriptor, or -1 with *rc the exit status after one message. */
static int make_dir(int at, const char *name, const char *shown, int *rc)
{
    if (mkdirat(at, name, 0755) != 0) {
        *rc = fail(errno == ENOENT || errno == EEXIST || errno == ENOTDIR ? 2 : 1, "cannot create %s: %s", shown,
                   strerror(errno));
        return -1;
    }
    return open_dir(at, name, shown, rc);
}

/* h5swmr repro: --list, NAME --out DIR, or --all --out DIR. */
static int cmd_repro(int argc, char **argv)
{
    extern const cli_cmd_t cmd_repro_def;
    cli_parser_t p;
    const char *arg, *out = NULL, *name = NULL;
    bool list = false, all = false;
    int k;
    cli_begin(&p, &cmd_repro_def, argc, argv);
    while ((k = cli_next(&p, &arg)) != CLI_END) {
        if (k == CLI_ERROR)
            return 2;
        if (k == CLI_HELP)
            return 0;
        if (k == CLI_POSITIONAL) {
            if (name)
                return cli_usage_error(&cmd_repro_def, "unexpected argument '%s' (one NAME, or --all)", arg);
            name = arg;
        } else if (k == 0) {
            list = true;
        } else if (k == 1) {
            all = true;
        } else {
            out = arg;
        }
    }
    if (list) {
        if (name || all || out)
            return cli_usage_error(&cmd_repro_def, "--list takes nothing else");
        for (size_t i = 0; i < N_SOURCES; i++) {
            const repro_info_t *in = info_of(repro_sources[i].name);
            printf("%-26s %s\n", repro_sources[i].name, in ? in->what : "");
        }
        return 0;
    }
    if (all == (name != NULL))
        return cli_usage_error(&cmd_repro_def, "give one NAME or --all (h5swmr repro --list names them)");
    if (!out || !*out)
        return cli_usage_error(&cmd_repro_def, "--out DIR is required");
    const repro_source_t *one = NULL;
    if (name) {
        one = source_of(name);
        if (!one || !info_of(name)) {
            char shown[120];
            snprintf(shown, sizeof shown, "%s", name);
            cli_one_line(shown);
            return cli_usage_error(&cmd_repro_def, "unknown reproducer '%s' (h5swmr repro --list)", shown);
        }
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", out);
    for (size_t l = strlen(dir); l > 1 && dir[l - 1] == '/'; l--) /* "link/" would follow the link */
        dir[l - 1] = 0;
    bool exists;
    int rc = check_out(dir, &exists);
    if (rc)
        return rc;
    int dfd = exists ? open_dir(AT_FDCWD, dir, dir, &rc) : make_dir(AT_FDCWD, dir, dir, &rc);
    if (dfd < 0)
        return rc;
    if (one) {
        rc = write_one(dfd, dir, one, info_of(one->name));
        close(dfd);
        if (!rc)
            printf("wrote %s/{%s.c,BUILD,README.txt}\n", dir, one->name);
        return rc;
    }
    for (size_t i = 0; i < N_SOURCES && !rc; i++) {
        const repro_info_t *in = info_of(repro_sources[i].name);
        if (!in)
            continue;
        char sub[4400];
        snprintf(sub, sizeof sub, "%s/%s", dir, repro_sources[i].name);
        int sfd = make_dir(dfd, repro_sources[i].name, sub, &rc);
        if (sfd < 0)
            break;
        rc = write_one(sfd, sub, &repro_sources[i], in);
        close(sfd);
        if (!rc)
            printf("wrote %s/\n", sub);
    }
    close(dfd);
    return rc;
}

const cli_cmd_t cmd_repro_def = {
    .name = "repro",
    .synopsis = "--list | NAME --out DIR | --all --out DIR",
    .summary = "write a standalone C reproducer of an HDF5 defect h5swmr found",
    .help = "Writes NAME.c (one C file: HDF5 and libc only), BUILD (a one-line build command) and\n"
            "README.txt (what it shows, what HDF5 promises, what happens on which versions) into DIR,\n"
            "which must not exist or be an empty directory (never a symbolic link). --all writes each\n"
            "into DIR/NAME/. A reproducer exits 0 when HDF5 behaves as promised, 1 when the defect\n"
            "is reproduced, 2 when it could not run.\n",
    .opts = repro_opts,
    .handler = cmd_repro,
};
