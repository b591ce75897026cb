/* cmdline.h - an external reader's command line (docs/external-readers.md):
 * split into words without a shell, placeholders replaced, the program
 * checked. The scenario's validation and the reader's adapter use the same
 * code, so that whatever the adapter would refuse during a run is refused
 * before anything is created. */
#ifndef H5SWMR_CMDLINE_H
#define H5SWMR_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#define CMDL_MAX_WORDS 127  /* words of a command line */
#define CMDL_WORD_MAX 8191  /* characters of a word once its placeholders are replaced */
#define CMDL_SCRIPT_DEPTH 4 /* #! interpreters followed, as the kernel does */
#define CMDL_ETOOLONG (-2)  /* returned for a word longer than CMDL_WORD_MAX */

/* What the placeholders stand for. */
typedef struct cmdl_vars {
    const char *file; /* {file}: the data file */
    const char *self; /* {h5swmr}: the h5swmr program */
    double poll_ms;   /* {poll_ms}, and {poll_s} in seconds */
    int index;        /* {index}: the reader's number */
    bool verify;      /* {verify}: 1 or 0 */
} cmdl_vars_t;

/* Splits cmd into words (blanks separate; '...' and "..." quote, nothing
 * else is special) with the placeholders of v replaced in each, into argv
 * (CMDL_MAX_WORDS + 1 entries; malloc'd strings, NULL-terminated). Returns
 * the count, or -1 with msg (an unterminated quote, an empty command, more
 * than CMDL_MAX_WORDS words, no memory) or CMDL_ETOOLONG with msg (a word
 * longer than CMDL_WORD_MAX), and nothing allocated. */
int cmdl_split(const char *cmd, const cmdl_vars_t *v, char **argv, char *msg, size_t cap);

/* Frees the words of argv that cmdl_split allocated. */
void cmdl_free(char **argv);

/* Checks that prog can be started as execvp would: an executable file, by
 * its path or found in PATH, and if it is a script, its #! interpreter too
 * (and that one's, up to CMDL_SCRIPT_DEPTH). Nothing is run and no file is
 * opened that could block (a FIFO is refused). Returns 0, or -1 with msg
 * ("'X' is not an executable program (nor found in PATH)", "'X' starts with
 * #!Y, which is not an executable program"). */
int cmdl_check_program(const char *prog, char *msg, size_t cap);

/* Checks everything about the command line cmd that would otherwise fail
 * only once the run is under way: what cmdl_split refuses, a placeholder in
 * the first word (only "{h5swmr}" alone may stand for the program), and the
 * program (cmdl_check_program). Returns 0, or -1 (CMDL_ETOOLONG for a word
 * too long) with msg. */
int cmdl_check(const char *cmd, const cmdl_vars_t *v, char *msg, size_t cap);

#endif
