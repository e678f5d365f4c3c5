# Readings of 12 sensors driven by 3 hidden factors plus noise, with a few
# planted faults (one sensor drifting away from what the others imply); the
# label field marks the faults for ae-score --label.
#   awk -v rows=4000 -v faults=40 -v seed=2 -f demo/sensors.awk > sensors.ndjson
function gauss() { return sqrt(-2 * log(1 - rand())) * cos(6.283185307 * rand()) }
BEGIN {
    if (rows == "") rows = 4000
    if (faults == "") faults = 40
    if (seed == "") seed = 2
    srand(seed)
    for (s = 0; s < 12; s++)
        for (f = 0; f < 3; f++) load[s, f] = gauss()
    for (i = 0; i < rows; i++) {
        for (f = 0; f < 3; f++) factor[f] = gauss()
        fault = (i % int(rows / faults) == 7)
        broken = int(rand() * 12)
        line = sprintf("{\"id\":%d,\"label\":%d,\"x\":[", i, fault)
        for (s = 0; s < 12; s++) {
            v = 20 + 5 * (load[s, 0] * factor[0] + load[s, 1] * factor[1] + load[s, 2] * factor[2]) + 0.3 * gauss()
            if (fault && s == broken) v += (rand() < 0.5 ? -1 : 1) * (6 + 6 * rand())
            line = line sprintf("%s%.3f", s ? "," : "", v)
        }
        print line "]}"
    }
}
