# flushcost.gp - flush cost per dataset against the number of datasets (log-log),
# one line per flush call, from `h5swmr flushcost --csv flushcost.csv`.
load 'common.gp'
files = system('ls '.dir.'/s*.dat')
set title "Flush cost per dataset vs number of datasets (h5swmr flushcost)\n{/*0.8 median flush time of one round divided by N; a round extends and writes every dataset once, then flushes}"
set xlabel "datasets flushed per round, N (log scale)"
set ylabel "flush cost per dataset (µs, log scale)"
set logscale xy
set key outside right top vertical Left reverse
plot for [i=1:words(files)] word(files,i) using 1:2 with linespoints lt i lw 2 pt 7 title columnheader(2)
eval svg_too
