# lag_vs_flush.gp - reader visibility lag (p50, p99) against the flush interval,
# one colour per block size (and per any other parameter the sweep varied), from sweep.csv.
load 'common.gp'
files = system('ls '.dir.'/s*.dat')
blocks = exists("blocks") ? blocks : ""
set title "Visibility lag vs flush interval (SWMR runs of sweep.csv".(blocks ne "" ? "; blocks of ".blocks : "").")\n{/*0.8 lag: from the writer's flush returning to a reader seeing the block verified; solid: p50, dashed: p99}"
set xlabel xlab.(logx ? " (log scale)" : "")
set ylabel "visibility lag (µs".(logy ? ", log scale)" : ")")
if (logx) { set logscale x }
if (logy) { set logscale y }
set key outside right top vertical Left reverse
# one legend entry per series (its colour), and one per percentile (its line style)
plot for [i=1:words(files)] word(files,i) using 1:2 with linespoints lt i lw 2 pt 7 title columnheader(2), \
     for [i=1:words(files)] word(files,i) using 1:3 with linespoints lt i lw 1 dt 2 pt 6 notitle, \
     NaN with linespoints lc rgb "black" lw 2 pt 7 title "p50 (median)", \
     NaN with linespoints lc rgb "black" lw 1 dt 2 pt 6 title "p99"
eval svg_too
