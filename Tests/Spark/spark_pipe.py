"""Runs ae's filters on Spark in local mode, in one session, for
Tests/EndToEndTests/SparkTests.swift, which compares what each route gives
with what one process gives:

    python spark_pipe.py TOOLS MODEL RECIPE

in a directory holding x.ndjson (object rows with "id", "label" and "x").
TOOLS is the directory of the built tools, MODEL a VAE fitted on the rows,
RECIPE the path of scripts/spark_ae.py. Writes report.json.
"""
import importlib.util
import json
import os
import sys

from pyspark.sql import SparkSession

tools, model, recipe_path = sys.argv[1:]
os.environ["PYSPARK_PYTHON"] = sys.executable
spark = (
    SparkSession.builder.master("local[2]")
    .appName("ae spark_pipe")
    .config("spark.ui.enabled", "false")
    .config("spark.sql.shuffle.partitions", "2")
    .config("spark.local.dir", os.path.abspath("spark-local"))
    .getOrCreate()
)
sc = spark.sparkContext
sc.setLogLevel("ERROR")
spec = importlib.util.spec_from_file_location("spark_ae", recipe_path)
recipe = importlib.util.module_from_spec(spec)
spec.loader.exec_module(recipe)


def tool(name, *options):
    """A command line for rdd.pipe: by full path, since rdd.pipe runs it with
    an empty environment."""
    return " ".join([os.path.join(tools, name), model, "--threads", "1", *options])


def outcome(job):
    """What running `job` gave: its lines, or the exception it raised."""
    try:
        return {"lines": job()}
    except Exception as error:
        return {"error": type(error).__name__, "message": str(error)}


rows = sc.textFile("x.ndjson", 4)
codes = rows.pipe(tool("ae-encode", "--no-header"), checkCode=True)
report = {
    "partitions": rows.glom().map(len).collect(),
    "score": rows.pipe(tool("ae-score"), checkCode=True).collect(),
    "encode": codes.collect(),
    "decode": codes.pipe(tool("ae-decode", "--no-header"), checkCode=True).collect(),
}

# The DataFrame route: rows as JSON, scored, read back as a DataFrame.
frame = spark.read.json(rows)
scored = spark.read.json(frame.toJSON().pipe(tool("ae-score"), checkCode=True))
report["frame"] = {
    "schema": scored.schema.simpleString(),
    "rows": [row.asDict() for row in scored.collect()],
}

# What rdd.pipe's commands see: no environment at all (so no PATH).
report["environment"] = sc.parallelize(["row"], 1).pipe("/usr/bin/env", checkCode=True).collect()

# Failures: a malformed row in the third of four partitions, a missing model.
lines = rows.collect()
malformed = sc.parallelize(lines[:250] + ['{"id": 250, "x": [1, oops]}'] + lines[251:], 4)
report["malformed"] = outcome(lambda: malformed.pipe(tool("ae-score"), checkCode=True).collect())
report["malformed unchecked"] = outcome(lambda: malformed.pipe(tool("ae-score")).collect())
report["missing model"] = outcome(
    lambda: rows.pipe(f"{os.path.join(tools, 'ae-score')} missing.h5", checkCode=True).collect()
)

# The recipe's helper, with the model shipped by addFile: rows where some
# partitions are empty, and the malformed rows.
sc.addFile(model)
shipped = os.path.basename(model)
report["recipe sparse"] = outcome(
    lambda: recipe.ae(rows.filter(lambda line: json.loads(line)["id"] < 50), "ae-score", shipped).collect()
)
report["recipe malformed"] = outcome(lambda: recipe.ae(malformed, "ae-score", shipped).collect())

with open("report.json", "w") as file:
    json.dump(report, file)
spark.stop()
