# flush_latency.gp - percentiles of one flush call (H5Dflush or H5Fflush) against
# block size, from sweep.csv (SWMR and non-SWMR HDF5 rows).
load 'common.gp'
files = system('ls '.dir.'/s*.dat')
set title "Flush latency percentiles vs block size (sweep.csv)\n{/*0.8 time of one flush call; p50 solid, p90 dashed, p99 dotted, p99.9 dash-dot}"
set xlabel "block size appended per call (KiB, log scale)"
set ylabel "flush latency (µs".(logy ? ", log scale)" : ")")
set logscale x 2
if (logy) { set logscale y }
set key outside right top vertical Left reverse
# one legend entry per series (its colour), and one per percentile (its line style)
plot for [i=1:words(files)] word(files,i) using 1:2 with linespoints lt i lw 2 dt 1 pt 7 title columnheader(2), \
     for [i=1:words(files)] word(files,i) using 1:3 with linespoints lt i lw 1 dt 2 pt 6 notitle, \
     for [i=1:words(files)] word(files,i) using 1:4 with linespoints lt i lw 1 dt 3 pt 4 notitle, \
     for [i=1:words(files)] word(files,i) using 1:5 with linespoints lt i lw 1 dt 4 pt 8 notitle, \
     NaN with linespoints lc rgb "black" lw 2 dt 1 pt 7 title "p50 (median)", \
     NaN with linespoints lc rgb "black" lw 1 dt 2 pt 6 title "p90", \
     NaN with linespoints lc rgb "black" lw 1 dt 3 pt 4 title "p99", \
     NaN with linespoints lc rgb "black" lw 1 dt 4 pt 8 title "p99.9"
eval svg_too
