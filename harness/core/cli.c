/* cli.c - the option parser and --help of every command (see cli.h). */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void cli_begin(cli_parser_t *p, const cli_cmd_t *cmd, int argc, char **argv)
{
    *p = (cli_parser_t){.cmd = cmd, .argc = argc, .argv = argv, .i = 2};
}

bool cli_has_control_char(const char *text)
{
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            return true;
    return false;
}

size_t cli_utf8_char(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = n ? s[0] : 0;
    size_t len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : (c & 0xf0) == 0xe0 ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (!len || len > n)
        return 0;
    uint32_t v = len == 1 ? c : len == 2 ? c & 0x1fu : len == 3 ? c & 0x0fu : c & 0x07u;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (s[k] & 0x3fu);
    }
    /* overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8 */
    if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10ffff)) || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

size_t cli_utf8_cut(const char *text, size_t max)
{
    size_t n = strnlen(text, max + 1);
    if (n <= max)
        return n;
    /* back over at most three continuation bytes to the start of the character at max */
    size_t k = max;
    while (k > 0 && max - k < 3 && ((unsigned char)text[k] & 0xc0) == 0x80)
        k--;
    return ((unsigned char)text[k] & 0xc0) == 0x80 ? max : k;
}

void cli_one_line(char *text)
{
    unsigned char *in = (unsigned char *)text, *out = in;
    size_t left = strlen(text);
    while (left) {
        uint32_t cp = 0;
        size_t len = cli_utf8_char(in, left, &cp);
        if (len == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
            *out++ = '?'; /* one '?' per control character, or per byte that is not UTF-8 */
            len = len ? len : 1;
        } else {
            memmove(out, in, len);
            out += len;
        }
        in += len;
        left -= len;
    }
    *out = '\0';
}

int cli_usage_error(const cli_cmd_t *cmd, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    cli_one_line(buf);
    fprintf(stderr, "h5swmr %s: %s\n", cmd->name, buf);
    return 2;
}

/* The option of cmd whose long name is exactly the n bytes at name, or -1. */
static int find_long(const cli_cmd_t *cmd, const char *name, size_t n)
{
    for (int k = 0; cmd->opts && cmd->opts[k].name; k++)
        if (n > 1 && strlen(cmd->opts[k].name) == n && !strncmp(cmd->opts[k].name, name, n))
            return k; /* a one-letter name is a short-only option: no --o */
    return -1;
}

/* The option of cmd whose short name is c, or -1. */
static int find_short(const cli_cmd_t *cmd, char c)
{
    for (int k = 0; cmd->opts && cmd->opts[k].name; k++)
        if (cmd->opts[k].short_name && cmd->opts[k].short_name == c)
            return k;
    return -1;
}

/* The value of option k: glued (after '=' or the short letter), or the next
 * argument. Returns k, or CLI_ERROR when it is missing. */
static int take_value(cli_parser_t *p, int k, const char *glued, const char *spelled, const char **arg)
{
    if (glued) {
        *arg = glued;
        return k;
    }
    if (p->i >= p->argc)
        return cli_usage_error(p->cmd, "%s needs %s (see h5swmr %s --help)", spelled, p->cmd->opts[k].arg,
                               p->cmd->name),
               CLI_ERROR;
    *arg = p->argv[p->i++];
    return k;
}

int cli_next(cli_parser_t *p, const char **arg)
{
    *arg = NULL;
    if (p->i >= p->argc)
        return CLI_END;
    const char *a = p->argv[p->i++];
    if (p->only_args || a[0] != '-' || !a[1]) {
        *arg = a;
        return CLI_POSITIONAL;
    }
    if (!strcmp(a, "--")) {
        p->only_args = true;
        return cli_next(p, arg);
    }
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
        cli_help(p->cmd, stdout);
        return CLI_HELP;
    }
    if (a[1] == '-') {
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t n = eq ? (size_t)(eq - name) : strlen(name);
        int k = find_long(p->cmd, name, n);
        if (k < 0)
            return cli_usage_error(p->cmd, "unknown option '%s' (see h5swmr %s --help)", a, p->cmd->name), CLI_ERROR;
        if (!p->cmd->opts[k].arg) {
            if (eq)
                return cli_usage_error(p->cmd, "--%s takes no value", p->cmd->opts[k].name), CLI_ERROR;
            return k;
        }
        return take_value(p, k, eq ? eq + 1 : NULL, a, arg);
    }
    int k = find_short(p->cmd, a[1]);
    if (k < 0)
        return cli_usage_error(p->cmd, "unknown option '%s' (see h5swmr %s --help)", a, p->cmd->name), CLI_ERROR;
    if (!p->cmd->opts[k].arg) {
        if (a[2])
            return cli_usage_error(p->cmd, "unknown option '%s' (see h5swmr %s --help)", a, p->cmd->name), CLI_ERROR;
        return k;
    }
    snprintf(p->shortbuf, sizeof p->shortbuf, "-%c", a[1]);
    return take_value(p, k, a[2] ? a + 2 : NULL, p->shortbuf, arg);
}

const char *cli_take(cli_parser_t *p)
{
    return p->i < p->argc ? p->argv[p->i++] : NULL;
}

const char *cli_spelling(const cli_parser_t *p, int k)
{
    static char buf[80];
    const cli_opt_t *o = &p->cmd->opts[k];
    if (o->short_name && !o->name[1])
        snprintf(buf, sizeof buf, "-%c", o->short_name);
    else
        snprintf(buf, sizeof buf, "--%s", o->name);
    return buf;
}

void cli_help(const cli_cmd_t *cmd, FILE *out)
{
    fprintf(out, "Usage: h5swmr %s%s%s\n", cmd->name, cmd->synopsis && cmd->synopsis[0] ? " " : "",
            cmd->synopsis ? cmd->synopsis : "");
    if (cmd->help && cmd->help[0])
        fprintf(out, "\n%s", cmd->help);
    if (cmd->help && cmd->help[0] && cmd->help[strlen(cmd->help) - 1] != '\n')
        fputc('\n', out);
    fprintf(out, "\nOptions:\n");
    for (int k = 0; cmd->opts && cmd->opts[k].name; k++) {
        const cli_opt_t *o = &cmd->opts[k];
        char left[96];
        int n = 0;
        if (o->short_name && strlen(o->name) == 1)
            n = snprintf(left, sizeof left, "-%c%s%s", o->short_name, o->arg ? " " : "", o->arg ? o->arg : "");
        else if (o->short_name)
            n = snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "",
                         o->arg ? o->arg : "");
        else
            n = snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(out, "  %-26s%s%s\n", left, n > 26 ? "\n                            " : "", o->help);
    }
    fprintf(out, "  %-26s%s\n", "-h, --help", "this help");
    if (cmd->help_extra)
        cmd->help_extra(out);
}

bool cli_number(const char *s, double lo, double hi, double *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno || !isfinite(v) || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}
