#!/usr/bin/env bash
# Makes testdata/demo/en0.log, the parser and connector tests' fixture of real tshark
# output (the demo itself replays testdata/demo/office.log, see `make demo-capture`):
# traffic this script generates itself on the loopback interface only (HTTP over
# 127.0.0.1 and ::1, DNS-shaped UDP queries to local ports),
# captured with tshark and rendered in tshark's default text layout, as the blog's
# `tshark -i en0 >> /tmp/en0.log` would write it. Needs root (or capture rights) and tshark.
#   scripts/capture-demo.sh [SECONDS]   writes testdata/demo/en0.log
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
out=testdata/demo
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

python3 -m http.server 18080 --bind 127.0.0.1 --directory "$work" >/dev/null 2>&1 &
python3 -m http.server 18081 --bind ::1 --directory "$work" >/dev/null 2>&1 &
sleep 1
tshark -i lo -a "duration:$secs" -w "$work/lo.pcapng" 2>"$work/tshark.err" &
capture=$!
sleep 2

python3 - "$secs" <<'PY' &
import socket, struct, sys, time, random, urllib.request
end = time.time() + int(sys.argv[1]) - 4
names = [b"example.com", b"kafka.apache.org", b"wireshark.org", b"localhost"]
def dns_query(name, qid):
    hdr = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    q = b"".join(bytes([len(p)]) + p for p in name.split(b".")) + b"\0" + struct.pack(">HH", 1, 1)
    return hdr + q
i = 0
while time.time() < end:
    i += 1
    for host, fam, port in (("127.0.0.1", socket.AF_INET, 18080), ("::1", socket.AF_INET6, 18081)):
        url = "http://%s:%d/" % (host if fam == socket.AF_INET else "[::1]", port)
        try:
            urllib.request.urlopen(url, timeout=1).read()
        except Exception:
            pass
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.sendto(dns_query(random.choice(names), i & 0xffff), (host, 53))
        s.close()
    time.sleep(random.uniform(0.05, 0.3))
PY
wait "$capture" || true
tshark -r "$work/lo.pcapng" >"$out/en0.log" 2>/dev/null
echo "wrote $out/en0.log ($(wc -l <"$out/en0.log") packets)"
