/* cli.h - the one option parser every h5swmr command uses, and the command
 * table it is driven from.
 *
 * A command describes itself once (cli_cmd_t): its name, synopsis, one-line
 * summary, --help text and options. The program's usage text, the dispatch
 * and each command's --help all come from that description.
 *
 * Parsing is exact: "--name", "--name=VALUE", "--name VALUE", "-x", "-xVALUE",
 * "-x VALUE"; "--" ends the options; "-" alone is a positional argument; a
 * long option is never matched by a prefix. Errors are one line on stderr
 * ("h5swmr CMD: ...") and the caller exits with 2. */
#ifndef H5SWMR_CLI_H
#define H5SWMR_CLI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One option of a command. */
typedef struct cli_opt {
    const char *name; /* long name without "--"; NULL ends a table */
    char short_name;  /* e.g. 'o' for -o, or 0 */
    const char *arg;  /* name of its argument in help (e.g. "N"), or NULL for a flag */
    const char *help; /* one line */
} cli_opt_t;

/* One command of the program. */
typedef struct cli_cmd {
    const char *name;     /* as typed: h5swmr NAME ...; NULL ends the table */
    const char *synopsis; /* what follows the name in "Usage: h5swmr NAME ..." */
    const char *summary;  /* one line for the program's command list */
    const char *help;     /* the paragraphs --help prints after the usage line */
    const cli_opt_t *opts;
    int (*handler)(int argc, char **argv); /* argv[1] is the command's name */
    bool needs_hdf5;                       /* initialise (and silence) HDF5 before the handler */
    void (*help_extra)(FILE *out);         /* appended to --help (e.g. the scenario keys), or NULL */
    bool own_stop_signals;                 /* SIGINT and SIGTERM stay blocked when the handler starts, until
                                              it handles them (a signalfd, or h5s_stop_signals_ready) */
} cli_cmd_t;

/* What cli_next returns besides an option's index in the command's table. */
enum {
    CLI_END = -1,        /* no more arguments */
    CLI_POSITIONAL = -2, /* *arg is a positional argument */
    CLI_ERROR = -3,      /* a one-line error was printed: exit 2 */
    CLI_HELP = -4,       /* -h/--help: the help was printed on stdout: exit 0 */
};

typedef struct cli_parser {
    const cli_cmd_t *cmd;
    int argc;
    char **argv;
    int i;          /* next argv index */
    bool only_args; /* after "--" */
    char shortbuf[3];
} cli_parser_t;

/* Starts parsing argv[2..] for cmd. */
void cli_begin(cli_parser_t *p, const cli_cmd_t *cmd, int argc, char **argv);
/* The next option (its index in cmd->opts, with *arg its value or NULL),
 * positional argument, end, error or help request; see CLI_*. */
int cli_next(cli_parser_t *p, const char **arg);
/* The next argument as it is (for an option that takes a second value, like
 * --ab A B), or NULL at the end of argv. */
const char *cli_take(cli_parser_t *p);
/* How the option at index k was spelled ("--max-runs" or "-o"), for messages. */
const char *cli_spelling(const cli_parser_t *p, int k);
/* Prints cmd's --help: usage line, help text, options, help_extra. */
void cli_help(const cli_cmd_t *cmd, FILE *out);
/* Makes text one line of printable text, in place: each control character
 * (C0 such as a newline in an echoed argument, DEL, and C1 U+0080-U+009F)
 * and each byte that is not part of valid UTF-8 becomes one '?'; valid
 * UTF-8 text stays as it is. Every text echoed to the terminal goes through
 * here. */
void cli_one_line(char *text);
/* The length (1-4) of the valid UTF-8 character at s (n bytes there) with
 * its code point in *cp, or 0 when the bytes there are not one (invalid or
 * cut short, an overlong form, a surrogate, past U+10FFFF). */
size_t cli_utf8_char(const unsigned char *s, size_t n, uint32_t *cp);
/* How many bytes of text to keep to cut it to at most max bytes without
 * cutting a UTF-8 character: strlen(text) when it fits, else max or less. */
size_t cli_utf8_cut(const char *text, size_t max);
/* Whether text holds a control character (below 0x20, or DEL). */
bool cli_has_control_char(const char *text);
/* One line "h5swmr CMD: message" on stderr; returns 2 (bad usage). */
int cli_usage_error(const cli_cmd_t *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parses a finite number in [lo, hi] from s (the whole string); false if it is not one. */
bool cli_number(const char *s, double lo, double hi, double *out);

#endif
