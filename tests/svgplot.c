/* svgplot.c - gnuplot's SVG read in tests (see svgplot.h). */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "svgplot.h"

/* Reads the lines of svg that have a legend entry into out (at most cap);
 * returns how many. */
int svg_lines(const char *svg, svg_line_t *out, int cap)
{
    int n = 0;
    for (const char *p = svg; n < cap && (p = strstr(p, "<g id=\"gnuplot_plot_")); p++) {
        const char *next = strstr(p + 1, "<g id=\"gnuplot_plot_"), *title = strstr(p, "<title>");
        if (!title || (next && title > next) || !strncmp(title + 7, "gnuplot_plot_", 13))
            continue;
        svg_line_t *l = &out[n];
        const char *id = p + strlen("<g id=\"gnuplot_plot_");
        id += strspn(id, "0123456789");
        snprintf(l->panel, sizeof l->panel, "%.*s", (int)strspn(id, "abcdefghijklmnopqrstuvwxyz"), id);
        snprintf(l->title, sizeof l->title, "%.*s", (int)strcspn(title + 7, "<"), title + 7);
        const char *path = strstr(title, "<path stroke='");
        if (!path || (next && path > next))
            continue; /* no line (points only) */
        path += strlen("<path stroke='");
        snprintf(l->colour, sizeof l->colour, "%.*s", (int)strcspn(path, "'"), path);
        const char *end = strchr(path, '>'), *dash = strstr(path, "stroke-dasharray='");
        l->dash[0] = '\0';
        if (dash && dash < end)
            snprintf(l->dash, sizeof l->dash, "%.*s", (int)strcspn(dash + 18, "'"), dash + 18);
        n++;
    }
    return n;
}

/* Asserts that no two lines of one panel of svg share colour and dash;
 * returns the number of panels (every letter suffix seen), and the lines in
 * lines/nlines when given. */
int svg_assert_lines_distinct(const char *svg, const char *name, svg_line_t *lines, int *nlines)
{
    static svg_line_t l[512];
    int n = svg_lines(svg, l, 512), panels = 0;
    cr_assert_gt(n, 0, "%s: no lines with legend entries", name);
    for (int i = 0; i < n; i++) {
        bool new_panel = true;
        for (int j = 0; j < i; j++) {
            new_panel = new_panel && strcmp(l[i].panel, l[j].panel) != 0;
            if (strcmp(l[i].panel, l[j].panel) != 0)
                continue;
            cr_assert(strcmp(l[i].colour, l[j].colour) != 0 || strcmp(l[i].dash, l[j].dash) != 0,
                      "%s: in panel '%s', '%s' and '%s' look alike (colour %s, dash '%s')", name, l[i].panel,
                      l[i].title, l[j].title, l[i].colour, l[i].dash);
        }
        panels += new_panel;
    }
    if (lines) {
        memcpy(lines, l, (size_t)n * sizeof *l);
        *nlines = n;
    }
    return panels;
}
