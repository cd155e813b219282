#!/usr/bin/env python3
"""The blog's Spark parse, for bridge's seed-mode goldens.

  blog.py lines FILE       FILE holds tshark lines
  blog.py envelopes FILE   FILE holds record values (Connect JSON envelopes), one a line

For each line it prints repr() of (fields[2], fields[4]) of payload.split(), or of
("None", "None") when there are fewer fields, exactly as pystreaming.py computed them,
one tuple per line as `bridge parse --parser seed --format pprint` prints them.
"""
import json
import sys


def pair(payload):
    fields = payload.split()
    try:
        return (fields[2], fields[4])
    except IndexError:
        return ("None", "None")


def main():
    mode, path = sys.argv[1], sys.argv[2]
    # newline="" keeps a lone \r inside a line, as bridge parse does; a trailing \r\n
    # loses only its \n and \r.
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
        for line in f:
            line = line[:-1] if line.endswith("\n") else line
            line = line[:-1] if line.endswith("\r") else line
            if mode == "envelopes":
                line = json.loads(line)["payload"]
            print(repr(pair(line)))


if __name__ == "__main__":
    main()
