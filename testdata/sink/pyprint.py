#!/usr/bin/env python3
"""Reference output for the sink tests, printed by Python itself.

  pyprint.py repr FILE     FILE: lines "HEX HEX"; prints repr((a, b)) per line
  pyprint.py pprint FILE   FILE: JSON {"num", "tz", "batches"}; prints what pyspark's
                           DStream.pprint(num) prints for each batch
  pyprint.py allchars      repr(chr(cp)) for every code point but the surrogates

Strings travel as hex of their bytes, decoded as UTF-8 with surrogateescape, which is
how a Go string holding invalid UTF-8 maps onto a Python str.
"""
import json
import os
import sys
import time
from datetime import datetime


def s(h):
    return bytes.fromhex(h).decode("utf-8", "surrogateescape")


def take_and_print(t, records, num):
    # pyspark/streaming/dstream.py, DStream.pprint.takeAndPrint
    taken = records[: num + 1]
    print("-------------------------------------------")
    print("Time: %s" % t)
    print("-------------------------------------------")
    for record in taken[:num]:
        print(record)
    if len(taken) > num:
        print("...")
    print("")


def pprint(path):
    cfg = json.load(open(path))
    os.environ["TZ"] = cfg["tz"]
    time.tzset()
    for b in cfg["batches"]:
        # pyspark's TransformFunction: datetime.fromtimestamp(milliseconds / 1000.0)
        t = datetime.fromtimestamp(b["ms"] / 1000.0)
        if "counts" in b:
            records = [((s(a), s(d)), n) for a, d, n in b["counts"]]
        else:
            records = [(s(a), s(d)) for a, d in b.get("tuples", [])]
        take_and_print(t, records, cfg["num"])


def main():
    mode = sys.argv[1]
    if mode == "repr":
        for line in open(sys.argv[2]):
            a, d = line.rstrip("\n").split(" ")
            print(repr((s(a), s(d))))
    elif mode == "pprint":
        pprint(sys.argv[2])
    elif mode == "allchars":
        out = []
        for cp in range(0x110000):
            if 0xD800 <= cp <= 0xDFFF:
                continue
            out.append(repr(chr(cp)))
        print("\n".join(out))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
