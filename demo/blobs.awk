# Images of one soft round blob each, at a random place and size: a data set
# with three known factors (x, y, radius) for the demo's VAE to discover.
#   awk -v rows=3000 -v side=20 -v seed=1 -f demo/blobs.awk > blobs.ndjson
BEGIN {
    if (rows == "") rows = 3000
    if (side == "") side = 20
    if (seed == "") seed = 1
    srand(seed)
    for (i = 0; i < rows; i++) {
        cx = 3 + rand() * (side - 7)
        cy = 3 + rand() * (side - 7)
        radius = 1.5 + rand() * 2.5
        line = sprintf("{\"id\":%d,\"cx\":%.2f,\"cy\":%.2f,\"radius\":%.2f,\"x\":[", i, cx, cy, radius)
        for (y = 0; y < side; y++) {
            for (x = 0; x < side; x++) {
                d2 = ((x - cx) ^ 2 + (y - cy) ^ 2) / (radius * radius)
                v = exp(-d2 * d2)
                line = line sprintf("%s%.3g", (x || y) ? "," : "", v < 0.001 ? 0 : v)
            }
        }
        print line "]}"
    }
}
