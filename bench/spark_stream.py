"""The Spark peer of `make bench`: the blog's job as Spark Structured Streaming.

Reads the topic from the beginning, takes the payload of each Connect JsonConverter
envelope, splits it on whitespace and keeps fields 2 and 4 as (src, dst), ("None", "None")
when there are fewer fields or the value is not an envelope -- the blog's parse, written
with Spark's built-in column functions (faster than a Python UDF, so the peer gets its
best chance). Micro-batches run on a 2 s processing-time trigger, as the blog's
StreamingContext(sc, 2) did, and each batch is written as JSON lines.

It prints "BENCH rows N" after every finished batch and "BENCH done" once N rows went
through, so bench/cmd/benchdrv can time it; then it stops.

usage: spark_stream.py BROKERS TOPIC OUT_DIR CHECKPOINT_DIR LINES JARS
"""

import sys
import time

from pyspark.sql import SparkSession
from pyspark.sql import functions as F


def say(msg):
    print("BENCH " + msg, flush=True)


def session(app, jars):
    """A local Spark on 2 cores with the Kafka jars, quiet."""
    spark = (
        SparkSession.builder.master("local[2]")
        .appName(app)
        .config("spark.jars", jars)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("WARN")
    return spark


def payload_fields(spark, brokers, topic):
    """The topic read from the beginning, and each envelope's payload split on whitespace."""
    raw = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", brokers)
        .option("subscribe", topic)
        .option("startingOffsets", "earliest")
        .load()
    )
    payload = F.get_json_object(F.col("value").cast("string"), "$.payload")
    return raw, F.split(F.trim(payload), r"\s+")


def main():
    brokers, topic, out, checkpoint, lines, jars = sys.argv[1:7]
    want = int(lines)
    spark = session("bench-blog-parse", jars)
    raw, fields = payload_fields(spark, brokers, topic)
    ok = F.coalesce(F.size(fields) >= 5, F.lit(False))
    pairs = raw.select(
        F.when(ok, fields.getItem(2)).otherwise(F.lit("None")).alias("src"),
        F.when(ok, fields.getItem(4)).otherwise(F.lit("None")).alias("dst"),
    )
    query = (
        pairs.writeStream.format("json")
        .option("path", out)
        .option("checkpointLocation", checkpoint)
        .trigger(processingTime="2 seconds")
        .start()
    )
    say("started")
    wait(query, want)
    query.stop()
    spark.stop()


def wait(query, want):
    seen, total = set(), 0
    while total < want:
        if query.exception() is not None:
            raise SystemExit("query failed: %s" % query.exception())
        for p in query.recentProgress:
            if p["batchId"] not in seen:
                seen.add(p["batchId"])
                total += p["numInputRows"]
                say("rows %d" % total)
        time.sleep(0.05)
    say("done")


if __name__ == "__main__":
    main()
