# advise_front.gp - the Pareto front of h5swmr advise: every policy it
# predicted or measured, lag p99 against total CPU, from front.csv.
# Variables given by h5swmr advise (gnuplot -e): dir (the results directory,
# holding front.csv), out (output path without extension), budget (the lag
# budget in ms), footer (printable ASCII without quotes: advise cleans it).
set encoding utf8
set datafile separator ","
term = strstrt(GPVAL_TERMINALS, "pngcairo") > 0 ? "pngcairo" : "png"
set terminal term size 1400,800 enhanced
set output out.'.png'
set grid xtics ytics mxtics mytics lc rgb "#dddddd" lw 1
set key outside right top vertical Left reverse box lc rgb "#bbbbbb" noenhanced
set title "h5swmr advise: the policies, lag p99 against CPU (front.csv)\n{/*0.8 lag: end-to-end p99 at the real pace; CPU: writer time in calls plus every reader, % of one core; the front: no other policy is better in both}"
set xlabel "lag p99 (ms, log scale)"
set ylabel "total CPU (% of one core, log scale)"
set logscale xy
set arrow 1 from budget, graph 0 to budget, graph 1 nohead lw 2 dt 2 lc rgb "#cc0000"
set label 1 sprintf("budget %g ms", budget) at budget, graph 0.97 right offset -0.5,0 tc rgb "#cc0000" noenhanced
if (!exists("footer")) { footer = "" }
if (footer ne "") { set label 999 footer at screen 0.008, screen 0.018 left front noenhanced font ",8" tc rgb "#555555"; set bmargin at screen 0.13 }
f = dir.'/front.csv'
plot f using ($15 == 0 && $8 > 0 ? $8 : 1/0):($13 > 0 ? $13 : 1/0) every ::1 with points pt 6 ps 1.0 lc rgb "#999999" title "predicted", \
     f using ($15 == 1 && $8 > 0 ? $8 : 1/0):($13 > 0 ? $13 : 1/0) every ::1 with points pt 7 ps 1.4 lc rgb "#1f77b4" title "measured (compressed pace)", \
     f using ($17 == 1 && $8 > 0 ? $8 : 1/0):($13 > 0 ? $13 : 1/0) every ::1 smooth unique with lines lw 2 lc rgb "#2ca02c" title "Pareto front", \
     f using ($18 == 1 ? $8 : 1/0):13 every ::1 with points pt 3 ps 3 lw 2 lc rgb "#d62728" title "recommended"
set terminal svg size 1400,800 dynamic enhanced background rgb 'white'
set output out.'.svg'
replot
unset output
