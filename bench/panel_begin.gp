# panel_begin.gp - starts panel p of a pass (see common.gp): files (its data
# files, with dir), n (its series), f0 (its first series); with panels, its
# place on the canvas, its title (the job) and its legend.
files = ''
do for [w=1:words(panel_files[p])] {
    files = files.' '.dir.'/'.word(panel_files[p], w)
}
n = panel_n[p]
f0 = panel_first[p]
if (multi && pass > 0) {
    set title panel_title[p] noenhanced
    set tmargin at screen 1 - (ptop + 44.0) / canvas_h
    set bmargin at screen 1 - (ptop + 44.0 + pb[p]) / canvas_h
    set lmargin at screen 116.0 / canvas_w
    set rmargin at screen 1 - keyw / canvas_w
    if (kbelow) {
        set key at screen 116.0 / canvas_w, screen 1 - (ptop + 44.0 + pb[p] + 62.0) / canvas_h left top vertical Left reverse maxrows n * shown
    } else {
        set key at screen 1 - keyw / canvas_w + 12.0 / canvas_w, screen 1 - (ptop + 44.0) / canvas_h left top vertical Left reverse maxrows n * shown
    }
    unset label 999
    if (p == npanels && footer ne "") {
        set label 999 footer at screen 0.008, screen 8.0 / canvas_h left front noenhanced font ",8" tc rgb "#555555"
    }
}
