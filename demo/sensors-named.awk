# The sensor rows (sensors.ndjson, from sensors.awk) with named features: an
# id and a site (text with a comma or a quote) beside columns s01..s12.
#   awk -v form=csv -f demo/sensors-named.awk sensors.ndjson > sensors.csv
#   form=reordered: the same CSV with its columns in reverse order
#   form=records: one object per row, as pandas' to_json(orient="records", lines=True) writes them
BEGIN {
    split("Hall 3, east|Annex \"B\"|Roof", sites, "|")
}
{
    match($0, /"id":[0-9]+/)
    id = sprintf("s%04d", substr($0, RSTART + 5, RLENGTH - 5))
    match($0, /"x":\[[^]]*\]/)
    count = split(substr($0, RSTART + 5, RLENGTH - 6), values, ",")
    site = sites[NR % 3 + 1]
    quoted = site
    gsub(/"/, "\"\"", quoted)
    quoted = "\"" quoted "\""
    if (NR == 1 && form != "records") {
        if (form == "reordered") {
            for (k = count; k >= 1; k--) printf "s%02d,", k
            print "site,id"
        } else {
            printf "id,site"
            for (k = 1; k <= count; k++) printf ",s%02d", k
            print ""
        }
    }
    if (form == "records") {
        escaped = site
        gsub(/"/, "\\\"", escaped)
        printf "{\"id\":\"%s\",\"site\":\"%s\"", id, escaped
        for (k = 1; k <= count; k++) printf ",\"s%02d\":%s", k, values[k]
        print "}"
    } else if (form == "reordered") {
        for (k = count; k >= 1; k--) printf "%s,", values[k]
        print quoted "," id
    } else {
        printf "%s,%s", id, quoted
        for (k = 1; k <= count; k++) printf ",%s", values[k]
        print ""
    }
}
