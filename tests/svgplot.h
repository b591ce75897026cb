/* svgplot.h - reading the SVG that gnuplot draws for h5swmr plot, in tests:
 * the lines that have a legend entry, with their panel, colour and dash, and
 * an assertion that no two lines of one panel look alike. Shared by
 * test_plot (hand-written results) and test_report_html (the results of a
 * real sweep_quick). These call cr_assert: not for forked children. */
#ifndef H5SWMR_SVGPLOT_H
#define H5SWMR_SVGPLOT_H

/* One line of a plot with a legend entry, as gnuplot's SVG draws it: the
 * panel (the letters after the plot number in its group id: a, b, ... one per
 * multiplot panel), its legend text, stroke colour and dash pattern ("" when
 * solid). */
typedef struct svg_line {
    char panel[8], title[256], colour[64], dash[64];
} svg_line_t;

/* Reads the lines of svg that have a legend entry into out (at most cap);
 * returns how many. */
int svg_lines(const char *svg, svg_line_t *out, int cap);

/* Asserts that svg has lines with legend entries and that no two lines of one
 * panel share colour and dash; returns the number of panels (every letter
 * suffix seen), and the lines in lines/nlines when given (room for 512). */
int svg_assert_lines_distinct(const char *svg, const char *name, svg_line_t *lines, int *nlines);

#endif
