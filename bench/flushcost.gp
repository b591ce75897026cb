# flushcost.gp - flush cost per dataset against the number of datasets (log-log),
# one line per flush call, from `h5swmr flushcost --csv flushcost.csv`.
load 'common.gp'
ptitle = "Flush cost per dataset vs number of datasets (h5swmr flushcost)\n{/*0.8 median flush time of one round divided by N; a round extends and writes every dataset once, then flushes}"
set xlabel "datasets flushed per round, N (log scale)"
set ylabel "flush cost per dataset (µs, log scale)"
set logscale xy
set key outside right top vertical Left reverse
do for [pass=(multi ? 0 : 1):2] {
    load 'pass_begin.gp'
    do for [p=1:npanels] {
        load 'panel_begin.gp'
        plot for [i=1:n] word(files, i) using 1:2 with linespoints ls ((f0+i-2)*lines+1) title columnheader(2)
        load 'panel_end.gp'
    }
    load 'pass_end.gp'
}
