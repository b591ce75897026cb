# lag_by_reader_kind.gp - distribution (CDF) of reader visibility lag per reader
# kind (sweep.csv's reader_kind; lags from lag_events.csv), and of the bare HDF5
# reader loop (reader_mode bare) as the floor, when its lag logs are there.
load 'common.gp'
bare = system('ls '.dir.'/b*.cdf 2>/dev/null')
ptitle = "Visibility lag distribution per reader kind (lag\\_events.csv, reader\\_kind of sweep.csv)\n{/*0.8 fraction of published flushes a reader saw within a given lag".(words(bare) ? "; dashed: bare HDF5 reader loop, the floor" : "").(nonpos ? "; lags <= 0 are left of the axis" : "")."}"
set xlabel "visibility lag (µs".(logx ? ", log scale)" : ")")
set ylabel "fraction of flushes seen (CDF)"
if (logx) { set logscale x }
set yrange [0:1.02]
ytic = multi ? 0.2 : 0.1
set ytics ytic
# long legend texts: below the plot area, one column, every entry shown; the
# bare reader's series are the second family: dashed (plot_data.c)
keybelow = 1
share_y = 0
do for [pass=(multi ? 0 : 1):2] {
    load 'pass_begin.gp'
    do for [p=1:npanels] {
        load 'panel_begin.gp'
        plot for [i=1:n] word(files, i) using 1:2 with steps ls (f0+i-1) title columnheader(2)
        load 'panel_end.gp'
    }
    load 'pass_end.gp'
}
