# throughput.gp - writer throughput against block size: SWMR, HDF5 without SWMR
# and the raw pwrite baseline (writer_mode swmr, noswmr, raw), from sweep.csv;
# one panel per job when there are many.
load 'common.gp'
ptitle = "Writer throughput vs block size (sweep.csv)\n{/*0.8 payload MB/s over the time inside the append and flush calls; solid: SWMR, dashed: raw pwrite (no HDF5), the ceiling, dash-dot: HDF5 without SWMR, dotted: other loops}"
set xlabel "block size appended per call (KiB, log scale)"
set ylabel "writer throughput (MB/s".(logy ? ", log scale)" : ")")
set logscale x 2
if (logy) { set logscale y }
if (!logy) { set yrange [0:*] }
set key outside right top vertical Left reverse
# the dash of a series is its writer mode (its family, in plot_data.c)
do for [pass=(multi ? 0 : 1):2] {
    load 'pass_begin.gp'
    do for [p=1:npanels] {
        load 'panel_begin.gp'
        plot for [i=1:n] word(files, i) using 1:2 with linespoints ls ((f0+i-2)*lines+1) title columnheader(2)
        load 'panel_end.gp'
    }
    load 'pass_end.gp'
}
