/* cmdline.c - an external reader's command line: words, placeholders and the
 * program (see cmdline.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "cmdline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* The placeholders, in the order they are tried. */
static const char *const keys[] = {"{file}", "{h5swmr}", "{poll_ms}", "{poll_s}", "{index}", "{verify}"};
#define NKEYS (sizeof keys / sizeof keys[0])

/* A copy of text for a message: at most 80 bytes, cut on a character, one
 * line. */
static const char *shown(const char *text, char *out, size_t cap)
{
    size_t n = cli_utf8_cut(text, 80);
    snprintf(out, cap, "%.*s%s", (int)n, text, text[n] ? "..." : "");
    cli_one_line(out);
    return out;
}

/* The next word of *p (quotes removed) into word (at least strlen(*p) + 1
 * bytes), *p moved past it. Returns 1 with a word, 0 at the end, -1 on an
 * unterminated quote (its character in *quote). */
static int next_word(const char **p, char *word, char *quote)
{
    const char *s = *p;
    size_t w = 0;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return *p = s, 0;
    while (*s && *s != ' ' && *s != '\t') {
        if (*s == '\'' || *s == '"') {
            char q = *s++;
            while (*s && *s != q)
                word[w++] = *s++;
            if (!*s)
                return *quote = q, -1;
            s++;
        } else {
            word[w++] = *s++;
        }
    }
    word[w] = '\0';
    *p = s;
    return 1;
}

/* src with the placeholders of v replaced, into dst (cap bytes). Returns 0,
 * or -1 when it does not fit. */
static int substitute(const cmdl_vars_t *v, const char *src, char *dst, size_t cap)
{
    char poll_ms[32], poll_s[32], index[16];
    snprintf(poll_ms, sizeof poll_ms, "%g", v->poll_ms);
    snprintf(poll_s, sizeof poll_s, "%g", v->poll_ms / 1e3);
    snprintf(index, sizeof index, "%d", v->index);
    const char *const vals[NKEYS] = {v->file, v->self, poll_ms, poll_s, index, v->verify ? "1" : "0"};
    size_t n = 0;
    while (*src) {
        const char *rep = NULL;
        size_t klen = 0;
        for (size_t k = 0; k < NKEYS && !rep; k++)
            if (!strncmp(src, keys[k], strlen(keys[k]))) {
                rep = vals[k];
                klen = strlen(keys[k]);
            }
        size_t add = rep ? strlen(rep) : 1;
        if (n + add >= cap)
            return -1;
        memcpy(dst + n, rep ? rep : src, add);
        n += add;
        src += rep ? klen : 1;
    }
    dst[n] = '\0';
    return 0;
}

void cmdl_free(char **argv)
{
    for (int i = 0; argv[i]; i++) {
        free(argv[i]);
        argv[i] = NULL;
    }
}

int cmdl_split(const char *cmd, const cmdl_vars_t *v, char **argv, char *msg, size_t cap)
{
    char *word = malloc(strlen(cmd) + 1), *out = malloc(CMDL_WORD_MAX + 1);
    int n = 0, r = 0;
    char q = 0;
    argv[0] = NULL;
    if (!word || !out) {
        snprintf(msg, cap, "out of memory");
        n = -1;
    }
    for (const char *p = cmd; n >= 0 && (r = next_word(&p, word, &q)) > 0;) {
        if (n == CMDL_MAX_WORDS) {
            snprintf(msg, cap, "more than %d words", CMDL_MAX_WORDS);
            n = -1;
        } else if (substitute(v, word, out, CMDL_WORD_MAX + 1) < 0) {
            char w[128];
            snprintf(msg, cap, "word %d ('%s') is longer than %d characters once its placeholders are replaced", n + 1,
                     shown(word, w, sizeof w), CMDL_WORD_MAX);
            n = CMDL_ETOOLONG;
        } else if (!(argv[n] = strdup(out))) {
            snprintf(msg, cap, "out of memory");
            n = -1;
        } else {
            argv[++n] = NULL;
        }
    }
    if (n >= 0 && r < 0) {
        snprintf(msg, cap, "unterminated %c quote (words are split on blanks, '...' and \"...\" quote)", q);
        n = -1;
    } else if (n == 0) {
        snprintf(msg, cap, "empty command");
        n = -1;
    }
    if (n < 0)
        cmdl_free(argv);
    free(word);
    free(out);
    return n;
}

/* Whether path names an executable regular file (as execve needs it). */
static bool executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* The file execvp would run for prog, into full. Returns 0, or -1 when
 * there is none. */
static int resolve(const char *prog, char *full, size_t cap)
{
    if (strchr(prog, '/'))
        return snprintf(full, cap, "%s", prog) < (int)cap && executable(full) ? 0 : -1;
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path;; p++) {
        const char *e = strchr(p, ':');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (snprintf(full, cap, "%.*s/%s", (int)(len ? len : 1), len ? p : ".", prog) < (int)cap && executable(full))
            return 0;
        if (!e)
            return -1;
        p = e;
    }
}

/* The interpreter named by the #! line of the executable file at path into
 * interp ("" when it is no script, or its #! names none). Never blocks. */
static void interpreter(const char *path, char *interp, size_t cap)
{
    interp[0] = '\0';
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return;
    char buf[256]; /* what the kernel reads of a script's first line */
    struct stat st;
    ssize_t got = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, buf, sizeof buf - 1) : -1;
    close(fd);
    if (got < 2 || buf[0] != '#' || buf[1] != '!')
        return;
    buf[got] = '\0';
    const char *s = buf + 2;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strcspn(s, " \t\n");
    snprintf(interp, cap, "%.*s", (int)n, s);
}

int cmdl_check_program(const char *prog, char *msg, size_t cap)
{
    char full[4096], interp[256], a[128], b[128];
    if (resolve(prog, full, sizeof full) < 0)
        return snprintf(msg, cap, "'%s' is not an executable program (nor found in PATH)", shown(prog, a, sizeof a)),
               -1;
    /* a script's interpreter must exist too: else execve fails with ENOENT */
    for (int depth = 0; depth < CMDL_SCRIPT_DEPTH; depth++) {
        interpreter(full, interp, sizeof interp);
        if (!interp[0])
            return 0;
        if (!executable(interp))
            return snprintf(msg, cap, "'%s' starts with #!%s, which is not an executable program",
                            shown(full, a, sizeof a), shown(interp, b, sizeof b)),
                   -1;
        snprintf(full, sizeof full, "%s", interp);
    }
    return 0;
}

int cmdl_check(const char *cmd, const cmdl_vars_t *v, char *msg, size_t cap)
{
    char *argv[CMDL_MAX_WORDS + 1];
    int n = cmdl_split(cmd, v, argv, msg, cap);
    if (n < 0)
        return n;
    cmdl_free(argv);
    /* the program: {h5swmr} alone, or a name with no placeholder in it */
    char *first = malloc(strlen(cmd) + 1), q, shown_first[128];
    if (!first)
        return snprintf(msg, cap, "out of memory"), -1;
    const char *p = cmd;
    next_word(&p, first, &q);
    int rc = 0;
    bool placeholder = false;
    for (size_t k = 0; k < NKEYS; k++)
        placeholder |= strstr(first, keys[k]) != NULL;
    if (!strcmp(first, "{h5swmr}")) {
        rc = 0;
    } else if (placeholder) {
        snprintf(msg, cap,
                 "'%s' cannot be the program: the first word may hold no placeholder ({h5swmr} alone stands for "
                 "h5swmr)",
                 shown(first, shown_first, sizeof shown_first));
        rc = -1;
    } else {
        rc = cmdl_check_program(first, msg, cap);
    }
    free(first);
    return rc;
}
