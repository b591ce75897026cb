# flushcost_round.gp - flush time of one round against the number of datasets
# (log-log) with N and N^2 reference lines, from flushcost.csv.
load 'common.gp'
ptitle = "Flush time of one round vs number of datasets (h5swmr flushcost)\n{/*0.8 per flush call: median thick with filled points, p90 thin with open points; grey: slopes of linear (N) and quadratic (N^2) growth through the first point}"
set xlabel "datasets flushed per round, N (log scale)"
set ylabel "flush time of one round (ms, log scale)"
set logscale xy
set key outside right top vertical Left reverse
lin(x) = y0 * (x / x0)
quad(x) = y0 * (x / x0)**2
set xrange [*:*]
shown = 2
do for [pass=(multi ? 0 : 1):2] {
    load 'pass_begin.gp'
    do for [p=1:npanels] {
        load 'panel_begin.gp'
        plot for [k=0:2*n-1] word(files, k/2+1) using 1:(column(3+k%2)) with linespoints ls ((f0+k/2-1)*lines+k%2+1) title columnheader(3+k%2), \
             lin(x) with lines lc rgb "#999999" dt 3 title "∝ N (linear)", \
             quad(x) with lines lc rgb "#555555" dt 3 title "∝ N^2 (quadratic)"
        load 'panel_end.gp'
    }
    load 'pass_end.gp'
}
