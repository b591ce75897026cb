# flush_vs_channels.gp - flush latency against the number of channels written
# per flush (sweep axis nchannels), one colour per flush call, from sweep.csv.
load 'common.gp'
files = system('ls '.dir.'/s*.dat')
set title "Flush latency vs channels written per flush (sweep.csv)\n{/*0.8 one flush = H5Dflush of every channel written, or one H5Fflush of the file; solid: p50, dashed: p99}"
set xlabel "channels written between flushes (log scale)"
set ylabel "time of one flush (µs".(logy ? ", log scale)" : ")")
set logscale x
if (logy) { set logscale y }
set key outside right top vertical Left reverse
plot for [i=1:words(files)] word(files,i) using 1:2 with linespoints lt i lw 2 pt 7 title columnheader(2), \
     for [i=1:words(files)] word(files,i) using 1:3 with linespoints lt i lw 1 dt 2 pt 6 notitle, \
     NaN with linespoints lc rgb "black" lw 2 pt 7 title "p50 (median)", \
     NaN with linespoints lc rgb "black" lw 1 dt 2 pt 6 title "p99"
eval svg_too
