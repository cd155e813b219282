package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Hostile names as log lines can carry them (reverse-DNS names, 802.11 names).
const (
	hostileImg    = `<img src=x onerror=alert(1)>`
	hostileScript = `</script><script>alert(2)</script>`
)

// officeSnapshot is one window of a small office network: n directed pairs among hosts of the
// documentation ranges, ranked by measure, plus two hostile names. Figures depend only on seed.
func officeSnapshot(n int, seed uint64, measure string) Snapshot {
	rng := rand.New(rand.NewPCG(seed, 7))
	hosts := []string{hostileImg, hostileScript}
	for i := range 12 {
		hosts = append(hosts, fmt.Sprintf("10.0.0.%d", 10+i))
	}
	for i := range 14 {
		hosts = append(hosts, fmt.Sprintf("192.0.2.%d", 1+i*7))
	}
	for i := range 10 {
		hosts = append(hosts, fmt.Sprintf("198.51.100.%d", 3+i*11))
	}
	for i := range 8 {
		hosts = append(hosts, fmt.Sprintf("2001:db8::%x", 0x10+i))
	}
	seen := map[[2]string]bool{}
	var rows []Row
	for len(rows) < n {
		a := hosts[rng.IntN(len(hosts))]
		// Most talk to a few servers, as on a real network.
		b := hosts[2+rng.IntN(6)]
		if rng.IntN(3) == 0 {
			b = hosts[rng.IntN(len(hosts))]
		}
		if a == b || seen[[2]string{a, b}] {
			continue
		}
		seen[[2]string{a, b}] = true
		pk := uint64(20 + rng.IntN(5000))
		rows = append(rows, Row{A: a, B: b, Packets: pk, Bytes: pk * uint64(60+rng.IntN(1400))})
	}
	rankRows(rows, measure)
	if len(rows) > 1 && !seen[[2]string{hostileImg, "10.0.0.10"}] && !seen[[2]string{"192.0.2.1", hostileScript}] {
		rows[0].A, rows[0].B = hostileImg, "10.0.0.10"
		rows[1].A, rows[1].B = "192.0.2.1", hostileScript
	}
	var tp, tb uint64
	for _, r := range rows {
		tp += r.Packets
		tb += r.Bytes
	}
	end := time.Date(2026, 12, 1, 12, 0, int(seed), 0, time.UTC)
	return Snapshot{
		WindowStart: end.Add(-60 * time.Second), WindowEnd: end,
		Kind: KindPair, Measure: measure, Rows: rows,
		TotalPackets: tp + 1234, TotalBytes: tb + 987654, DistinctKeys: len(rows) + 40,
		Protocols: []Protocol{
			{Name: "TLSv1.3", Packets: tp / 3, Bytes: tb / 2}, {Name: "TCP", Packets: tp / 4, Bytes: tb / 5},
			{Name: "DNS", Packets: tp / 6, Bytes: tb / 30}, {Name: "HTTP", Packets: tp / 10, Bytes: tb / 8},
			{Name: "SSH", Packets: tp / 20, Bytes: tb / 40}, {Name: "NTP", Packets: tp / 40, Bytes: tb / 200},
			{Name: "ICMP", Packets: tp / 50, Bytes: tb / 300}, {Name: "ARP", Packets: tp / 60, Bytes: tb / 500},
			{Name: "MDNS", Packets: tp / 70, Bytes: tb / 400}, {Name: "DHCP", Packets: tp / 90, Bytes: tb / 600},
		},
		Health: Health{Lag: 42, LastBatch: end, Skipped: 3},
	}
}

// rankRows orders rows by measure, largest first, as the talkers engine ranks them.
func rankRows(rows []Row, measure string) {
	slices.SortStableFunc(rows, func(x, y Row) int {
		if measure == MeasureBytes {
			return cmpDesc(x.Bytes, y.Bytes)
		}
		return cmpDesc(x.Packets, y.Packets)
	})
}

func cmpDesc(a, b uint64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// startServer serves a new Server on a loopback port until the test ends.
func startServer(t testing.TB, cfg Config) (*Server, string) {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	srv, err := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	return srv, scheme + "://" + ln.Addr().String()
}
