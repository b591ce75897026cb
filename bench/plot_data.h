/* plot_data.h - turns h5swmr's CSV results into the data files of each plot
 * (see plot_series.h for their form), for the gnuplot scripts bench/NAME.gp:
 *   flushcost.csv  -> flushcost.gp, flushcost_round.gp   (PLOT_FLUSHCOST)
 *   sweep.csv      -> lag_vs_flush.gp                     (PLOT_LAGFLUSH)
 *                     throughput.gp                       (PLOT_THROUGHPUT)
 *                     flush_latency.gp                    (PLOT_FLUSHLAT)
 *                     flush_vs_channels.gp                (PLOT_FLUSHCHAN)
 *   lag_*.csv      -> lag_cdf.gp                          (PLOT_LAGCDF)
 *   lag_events.csv -> lag_by_reader_kind.gp               (PLOT_READERKIND)
 *     with sweep.csv's reader_kind: a series per reader kind (pooling the
 *     configurations of a kind when they differ in nothing else), and the
 *     bare HDF5 reader (reader_mode bare; its lag logs lag_*.csv in its
 *     run_dir) when its logs are there
 * A sweep plot (and lag_cdf) of more than PLOT_PANEL_SERIES series from two or
 * more jobs puts each series in its job's panel, its legend text describing it
 * within the job (plot_series.h). Columns are found by name. A lag log gives its lags in integer
 * nanoseconds (lag_ns), or in microseconds (lag_us, older results); the plots
 * show microseconds. */
#ifndef H5SWMR_PLOT_DATA_H
#define H5SWMR_PLOT_DATA_H
#include <stddef.h>

typedef enum plot_mode {
    PLOT_FLUSHCOST,
    PLOT_LAGFLUSH,
    PLOT_THROUGHPUT,
    PLOT_FLUSHLAT,
    PLOT_FLUSHCHAN,
    PLOT_LAGCDF,
    PLOT_READERKIND,
} plot_mode_t;

/* Writes the data files of a plot of mode into the directory dir, from
 * files[0..nfiles) (one CSV file, or every lag log for PLOT_LAGCDF; sweep is
 * the sweep.csv that describes the lag logs' configurations, or NULL; for
 * PLOT_READERKIND files[0] is lag_events.csv and sweep is required).
 * Returns the number of series (> 0); 0 when there is nothing to plot, with
 * the reason in msg; -1 when a file could not be read or written, with the
 * reason in msg. */
int plot_data_prepare(plot_mode_t mode, const char *const *files, int nfiles, const char *sweep, const char *dir,
                      char *msg, size_t cap);

#endif
