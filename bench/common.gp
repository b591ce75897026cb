# common.gp - shared look of the h5swmr plots; loaded first by every bench/*.gp script.
#
# Variables given by h5swmr plot (gnuplot -e): dir (series files, meta.gp and
# panels.gp, from bench/plot_data.c and plot_series.c), out (output path
# without extension), pngterm (pngcairo or png), footer (where the data was
# measured: host, kernel, file system, HDF5, scenario; plot.c lets only
# printable ASCII without quotes or backslashes through, and it is drawn as
# plain text: noenhanced).
# panels.gp gives the panels (npanels: one, or one per job when a plot has
# more than 6 series from two or more jobs: small multiples) and a line
# style per line of every series, made in C (plot_style) so that no two lines
# of a panel share colour and dash: series g (from 1), line j (from 0) of the
# `lines` its file has is `ls (g - 1) * lines + j + 1`.
# The legend is always outside the plot area, right of it (or below it, with
# keybelow), so it never covers data; scripts that set the key keep it outside.
# A script sets ptitle (its title), shown (lines it draws per series: legend
# entries), keybelow and share_y, then draws in passes:
#   do for [pass = (multi ? 0 : 1):2] {
#       load 'pass_begin.gp'
#       do for [p = 1:npanels] {
#           load 'panel_begin.gp'      # files: the panel's, f0: its first series
#           plot ...
#           load 'panel_end.gp'
#       }
#       load 'pass_end.gp'
#   }
# pass 0 (panels only) plots to no terminal to find the ranges every panel
# then shares; pass 1 writes out.png, pass 2 out.svg.
set encoding utf8
set datafile separator "\t"
set datafile missing "NaN"
canvas_w = 1400
canvas_h = 760
set grid xtics ytics mxtics mytics lc rgb "#dddddd" lw 1
set border lw 1
set key outside right top vertical Left reverse box lc rgb "#bbbbbb" noenhanced
set pointsize 1.1
logx = 0
logy = 0
load dir.'/meta.gp'
load dir.'/panels.gp'
multi = npanels > 1
ptitle = ""
shown = 1
keybelow = 0
share_y = 1
# no empty decades at the ends of log axes: fit the data, with a little air
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
# the footer: one small grey line at the bottom left, below the x axis label
if (!exists("footer")) { footer = "" }
if (footer ne "") { set label 999 footer at screen 0.008, screen 0.018 left front noenhanced font ",8" tc rgb "#555555"; set bmargin at screen 0.13 }
