# flushcost_round.gp - flush time of one round against the number of datasets
# (log-log) with N and N^2 reference lines, from flushcost.csv.
load 'common.gp'
files = system('ls '.dir.'/s*.dat')
set title "Flush time of one round vs number of datasets (h5swmr flushcost)\n{/*0.8 solid: median, dashed: p90; grey: slopes of linear (N) and quadratic (N^2) growth through the first point}"
set xlabel "datasets flushed per round, N (log scale)"
set ylabel "flush time of one round (ms, log scale)"
set logscale xy
set key outside right top vertical Left reverse
lin(x) = y0 * (x / x0)
quad(x) = y0 * (x / x0)**2
set xrange [*:*]
plot for [i=1:words(files)] word(files,i) using 1:3 with linespoints lt i lw 2 pt 7 title columnheader(3), \
     for [i=1:words(files)] word(files,i) using 1:4 with linespoints lt i lw 1 dt 2 pt 6 title columnheader(4), \
     lin(x) with lines lc rgb "#999999" dt 3 title "∝ N (linear)", \
     quad(x) with lines lc rgb "#555555" dt 3 title "∝ N^2 (quadratic)"
eval svg_too
