"""The Spark peer of the talkers phase of `make bench`: top talkers per window.

Reads the topic from the beginning, takes the payload of each Connect JsonConverter
envelope, splits the tshark line on whitespace (Source, Destination and Length are fields
2, 4 and 6) and counts, per 60 s window of the records' Kafka timestamps, packets and
bytes per (src, dst): groupBy(window, src, dst).agg(count, sum(len)), written with Spark's
built-in column functions. The window is a tumbling one (each record in one window, not in
the 30 of a 60 s window sliding by 2 s): the peer's best chance. Streaming sorts need the
complete output mode; each micro-batch (2 s processing-time trigger) takes the top N of
every window of the result table.

It prints "BENCH rows N" after every finished batch, the top list of the last one as
"BENCH top WINDOW SRC DST PACKETS BYTES" lines, and "BENCH done" once N rows went through,
so bench/cmd/benchdrv can time it; then it stops.

usage: spark_talkers.py BROKERS TOPIC CHECKPOINT_DIR LINES TOP JARS
"""

import sys

from pyspark.sql import functions as F

from spark_stream import payload_fields, say, session, wait


def main():
    brokers, topic, checkpoint, lines, top, jars = sys.argv[1:7]
    want, n = int(lines), int(top)
    spark = session("bench-talkers", jars)
    raw, fields = payload_fields(spark, brokers, topic)
    packets = raw.select(
        F.col("timestamp"),
        fields.getItem(2).alias("src"),
        fields.getItem(4).alias("dst"),
        fields.getItem(6).cast("long").alias("len"),
    )
    talkers = packets.groupBy(F.window("timestamp", "60 seconds"), "src", "dst").agg(
        F.count(F.lit(1)).alias("packets"), F.sum("len").alias("bytes")
    )

    def top(df, batch_id):
        for w in [r[0] for r in df.select("window").distinct().collect()]:
            best = df.filter(F.col("window.start") == F.lit(w.start)).orderBy(F.desc("packets"), "src", "dst").limit(n)
            for r in best.collect():
                say("top %s %s %s %d %d" % (w.start.isoformat(), r.src, r.dst, r.packets, r.bytes))

    query = (
        talkers.writeStream.outputMode("complete")
        .foreachBatch(top)
        .option("checkpointLocation", checkpoint)
        .trigger(processingTime="2 seconds")
        .start()
    )
    say("started")
    wait(query, want)
    query.stop()
    spark.stop()


if __name__ == "__main__":
    main()
