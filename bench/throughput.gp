# throughput.gp - writer throughput against block size: SWMR, HDF5 without SWMR
# and the raw pwrite baseline (writer_mode swmr, noswmr, raw), from sweep.csv.
load 'common.gp'
swmr = system('ls '.dir.'/a*.dat 2>/dev/null')
noswmr = system('ls '.dir.'/b*.dat 2>/dev/null')
raw = system('ls '.dir.'/c*.dat 2>/dev/null')
other = system('ls '.dir.'/d*.dat 2>/dev/null')
set title "Writer throughput vs block size (sweep.csv)\n{/*0.8 payload MB/s over the time inside the append and flush calls; solid: SWMR, dash-dot: HDF5 without SWMR, dashed: raw pwrite (no HDF5), the ceiling}"
set xlabel "block size appended per call (KiB, log scale)"
set ylabel "writer throughput (MB/s".(logy ? ", log scale)" : ")")
set logscale x 2
if (logy) { set logscale y }
if (!logy) { set yrange [0:*] }
set key outside right top vertical Left reverse
nsw = words(swmr)
nns = words(noswmr)
nrw = words(raw)
plot for [i=1:words(swmr)] word(swmr,i) using 1:2 with linespoints lt i lw 2 pt 7 title columnheader(2), \
     for [i=1:words(noswmr)] word(noswmr,i) using 1:2 with linespoints lt (nsw+i) lw 2 dt 4 pt 5 title columnheader(2), \
     for [i=1:words(raw)] word(raw,i) using 1:2 with linespoints lt (nsw+nns+i) lw 2 dt 2 pt 9 title columnheader(2), \
     for [i=1:words(other)] word(other,i) using 1:2 with linespoints lt (nsw+nns+nrw+i) lw 1 pt 4 title columnheader(2)
eval svg_too
