# flush_latency.gp - percentiles of one flush call (H5Dflush or H5Fflush) against
# block size, from sweep.csv (SWMR and non-SWMR HDF5 rows); one panel per job
# when there are many.
load 'common.gp'
ptitle = "Flush latency percentiles vs block size (sweep.csv)\n{/*0.8 time of one flush call; per series p50 thick with filled points, p90, p99, p99.9 thin with open points, each its own dash and legend entry}"
set xlabel "block size appended per call (KiB, log scale)"
set ylabel "flush latency (µs".(logy ? ", log scale)" : ")")
set logscale x 2
if (logy) { set logscale y }
set key outside right top vertical Left reverse
shown = 4
do for [pass=(multi ? 0 : 1):2] {
    load 'pass_begin.gp'
    do for [p=1:npanels] {
        load 'panel_begin.gp'
        plot for [k=0:4*n-1] word(files, k/4+1) using 1:(column(2+k%4)) with linespoints ls ((f0+k/4-1)*lines+k%4+1) title columnheader(2+k%4)
        load 'panel_end.gp'
    }
    load 'pass_end.gp'
}
