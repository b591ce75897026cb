# common.gp - shared look of the h5swmr plots; loaded first by every bench/*.gp script.
#
# Variables given by h5swmr plot (gnuplot -e): dir (series files and meta.gp,
# from bench/plot_data.c), out (output path without extension), pngterm
# (pngcairo or png), footer (where the data was measured: host, kernel, file
# system, HDF5, scenario; plot.c lets only printable ASCII without quotes or
# backslashes through, and it is drawn as plain text: noenhanced).
# The legend is always outside the plot area, right of it, so it never covers
# data; scripts that set the key again keep it outside.
# Each script plots once to PNG, then calls `eval svg_too` to replot as SVG.
set encoding utf8
set datafile separator "\t"
set datafile missing "NaN"
canvas_h = 760
set terminal @pngterm size 1400,canvas_h enhanced
set output out.'.png'
set grid xtics ytics mxtics mytics lc rgb "#dddddd" lw 1
set border lw 1
set key outside right top vertical Left reverse box lc rgb "#bbbbbb" noenhanced
set pointsize 1.1
logx = 0
logy = 0
load dir.'/meta.gp'
svg_too = "set terminal svg size 1400,canvas_h dynamic enhanced background rgb 'white'; set output out.'.svg'; replot; unset output"
# key_below: for plots with many long legend texts. Set nkeys, then
# `eval key_below`: the legend goes below the plot area in one column, every
# entry shown, and the picture grows by one line (20 px) per entry.
key_below = "canvas_h = 560 + nkeys * 20 + (footer ne '' ? 30 : 0); set terminal @pngterm size 1400,canvas_h enhanced; set output out.'.png'; keytop = ((footer ne '' ? 30 : 8) + nkeys * 20 + 12.0) / canvas_h; set key at screen 0.03, screen keytop left top vertical Left reverse maxrows nkeys; set bmargin at screen keytop + 75.0 / canvas_h"
# no empty decades at the ends of log axes: fit the data, with a little air
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
# the footer: one small grey line at the bottom left, below the x axis label
if (!exists("footer")) { footer = "" }
if (footer ne "") { set label 999 footer at screen 0.008, screen 0.018 left front noenhanced font ",8" tc rgb "#555555"; set bmargin at screen 0.13 }
