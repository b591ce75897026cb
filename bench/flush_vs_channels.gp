# flush_vs_channels.gp - flush latency against the number of channels written
# per flush (sweep axis nchannels), a line pair per flush call, one panel per
# job when there are many, from sweep.csv.
load 'common.gp'
ptitle = "Flush latency vs channels written per flush (sweep.csv)\n{/*0.8 one flush = H5Dflush of every channel written, or one H5Fflush of the file; p50 thick with filled points, p99 thin with open points}"
set xlabel "channels written between flushes (log scale)"
set ylabel "time of one flush (µs".(logy ? ", log scale)" : ")")
set logscale x
if (logy) { set logscale y }
set key outside right top vertical Left reverse
shown = 2
do for [pass=(multi ? 0 : 1):2] {
    load 'pass_begin.gp'
    do for [p=1:npanels] {
        load 'panel_begin.gp'
        plot for [k=0:2*n-1] word(files, k/2+1) using 1:(column(2+k%2)) with linespoints ls ((f0+k/2-1)*lines+k%2+1) title columnheader(2+k%2)
        load 'panel_end.gp'
    }
    load 'pass_end.gp'
}
