# lag_vs_flush.gp - reader visibility lag (p50, p99) against the flush interval,
# a line pair per block size (and per any other parameter the sweep varied),
# one panel per job when there are many, from sweep.csv.
load 'common.gp'
blocks = exists("blocks") ? blocks : ""
ptitle = "Visibility lag vs flush interval (SWMR runs of sweep.csv".(blocks ne "" ? "; blocks of ".blocks : "").")\n{/*0.8 lag: from the writer's flush returning to a reader seeing the block verified; each configuration: p50 thick with filled points, p99 thin with open points (its own legend entry)}"
set xlabel xlab.(logx ? " (log scale)" : "")
set ylabel "visibility lag (µs".(logy ? ", log scale)" : ")")
if (logx) { set logscale x }
if (logy) { set logscale y }
set key outside right top vertical Left reverse
shown = 2
# a legend entry per line: a configuration's p50, then its p99
do for [pass=(multi ? 0 : 1):2] {
    load 'pass_begin.gp'
    do for [p=1:npanels] {
        load 'panel_begin.gp'
        plot for [k=0:2*n-1] word(files, k/2+1) using 1:(column(2+k%2)) with linespoints ls ((f0+k/2-1)*lines+k%2+1) title columnheader(2+k%2)
        load 'panel_end.gp'
    }
    load 'pass_end.gp'
}
