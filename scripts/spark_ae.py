"""Runs one of ae's filters over the lines of a text file on Spark, with the
model shipped to the executors as a file:

    spark-submit --files m.h5 spark_ae.py INPUT OUTPUT TOOL MODEL [OPTION...]

MODEL is the name of a file given with --files (or SparkContext.addFile); each
task finds its copy with SparkFiles.get where the task runs, and passes it to
TOOL as its first argument. TOOL is looked up on the executors' PATH (or give
its full path). Each partition goes through one process, in order, and a tool
that fails fails its task and so the job. OUTPUT is a directory of part files,
as saveAsTextFile writes them. Other jobs can import `ae` and call it on any
RDD of lines.
"""
import subprocess
import sys
import threading
from itertools import chain

from pyspark import SparkFiles
from pyspark.sql import SparkSession


def ae(rows, tool, model, *options):
    """`rows` (an RDD of lines) through `tool MODEL options...`, one process a
    partition, with MODEL looked up on the executor."""
    return rows.mapPartitions(lambda lines: _pipe(lines, [tool, SparkFiles.get(model), *options]))


def _pipe(lines, command):
    """Streams `lines` through `command`: rdd.pipe with checkCode=True, but in
    the executor's environment (rdd.pipe gives the command an empty one), and
    an empty partition starts no process."""
    lines = iter(lines)
    first = next(lines, None)
    if first is None:
        return
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def feed():
        try:
            with process.stdin:
                for line in chain([first], lines):
                    process.stdin.write(line.encode() + b"\n")
        except BrokenPipeError:
            pass  # the tool stopped reading: its exit status says why

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    for line in process.stdout:
        yield line.rstrip(b"\n").decode()
    writer.join()
    if process.wait() != 0:
        raise RuntimeError(f"{' '.join(command)} exited with status {process.returncode}")


if __name__ == "__main__":
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    source, target, tool, model, *options = sys.argv[1:]
    spark = SparkSession.builder.appName(f"{tool} on Spark").getOrCreate()
    ae(spark.sparkContext.textFile(source), tool, model, *options).saveAsTextFile(target)
    spark.stop()
