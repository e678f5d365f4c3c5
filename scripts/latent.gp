# Draws latent codes as points coloured by a third column, with gnuplot:
#
#   gnuplot -c scripts/latent.gp codes.tsv latent.png TITLE COLOUR [classes]
#
# codes.tsv holds one code a line, tab-separated: z0, z1 and the value that
# colours it, as jq's @tsv writes them from ae-encode's output:
#   ae-encode m.h5 x.ndjson --no-header | jq -r '[.z[0], .z[1], .label] | @tsv'
# COLOUR names that value in the colour bar. With `classes` the value is a
# class 0..9 (a digit), drawn in ten distinct colours; else it is any
# number, drawn on a continuous scale.
codes = ARG1
set terminal pngcairo size 900,780 font ",13"
set output ARG2
set datafile separator "\t"
set title ARG3
set xlabel "z0"
set ylabel "z1"
set cblabel ARG4
set size ratio -1
set grid lc rgb "#dddddd"
if (ARG5 eq "classes") {
    # matplotlib's tab10, one colour per digit.
    set palette maxcolors 10
    set palette defined (0 "#1f77b4", 1 "#ff7f0e", 2 "#2ca02c", 3 "#d62728", 4 "#9467bd", \
                         5 "#8c564b", 6 "#e377c2", 7 "#7f7f7f", 8 "#bcbd22", 9 "#17becf")
    set cbrange [-0.5:9.5]
    set cbtics 0, 1, 9
} else {
    # viridis, in five steps.
    set palette defined (0 "#440154", 1 "#3b528b", 2 "#21918c", 3 "#5ec962", 4 "#fde725")
}
unset key
plot codes using 1:2:3 with points pointtype 7 pointsize 0.55 linecolor palette
