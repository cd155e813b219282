package main

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/bridge-project/bridge/connector"
)

// talkersGenVersion changes whenever the talkers topics' bytes would: it keys their cache.
const talkersGenVersion = "1"

// exactPairs is how many distinct (src, dst) pairs the exact topic holds: under the
// talkers summary's default capacity (6,000 keys), so --top must count it exactly.
const exactPairs = 5000

// exactHeavy is how many pairs of the exact topic stand out with counts of their own,
// so that its top 10 has no ties and one right answer.
const exactHeavy = 12

// talkersData is the input of the talkers phase: two envelope files of the same size.
type talkersData struct {
	flood string // N records, every one a distinct (src, dst) pair
	exact string // N records over at most exactPairs pairs
}

// spoofed returns the i-th (0-based) source of a flood: IPv4 sources walk 10.0.0.0/8,
// IPv6 ones 2001:db8::/32, from the network's second address on.
func spoofed(i int, v6 bool) netip.Addr {
	if v6 {
		var a [16]byte
		copy(a[:], []byte{0x20, 0x01, 0x0d, 0xb8})
		binary.BigEndian.PutUint64(a[8:], uint64(i)+1)
		return netip.AddrFrom16(a)
	}
	var a [4]byte
	binary.BigEndian.PutUint32(a[:], 10<<24|uint32(i+1)&0xffffff)
	return netip.AddrFrom4(a)
}

// withSource renders the template with another source address, keeping the destination,
// protocol, frame length and info: tshark's line for the same frame sent from src.
func withSource(t template, src netip.Addr) template {
	i := bytes.Index(t.rest, []byte(" → "))
	if i < 0 {
		return t
	}
	rest := append([]byte(" "), src.String()...)
	return template{rest: append(rest, t.rest[i:]...)}
}

// templateV6 says whether a template's source is an IPv6 address.
func templateV6(t template) bool {
	f := bytes.Fields(t.rest)
	return len(f) > 0 && bytes.ContainsRune(f[0], ':')
}

// splitFamilies parts the templates by their source's address family.
func splitFamilies(tpl []template) (v4, v6 []template) {
	for _, t := range tpl {
		if templateV6(t) {
			v6 = append(v6, t)
		} else {
			v4 = append(v4, t)
		}
	}
	return v4, v6
}

// floodLine is record i of the flood: template i's frame from the i-th spoofed source.
func floodLine(dst []byte, tpl []template, i int) []byte {
	t := tpl[i%len(tpl)]
	return appendLine(dst, withSource(t, spoofed(i, templateV6(t))), int64(i+1), int64(i)*100_000)
}

// exactOrder returns, for each of n records, which of the exact topic's pairs it belongs
// to: exactHeavy pairs with counts of their own (together about a sixth of n), the rest
// spread evenly over the other pairs, in a fixed pseudo-random order.
func exactOrder(n int) []int32 {
	pairs := min(exactPairs, n)
	heavy := min(exactHeavy, pairs)
	counts := make([]int, pairs)
	left := n
	for j := range heavy {
		// Counts step down by unit: unit*(heavy+1) ... unit*2, well above the rest.
		unit := max(n/(6*heavy*heavy), 1)
		counts[j] = min(unit*(heavy+1-j), left)
		left -= counts[j]
	}
	for j := heavy; j < pairs && left > 0; j++ {
		counts[j] = left / (pairs - j)
		left -= counts[j]
	}
	counts[0] += left
	order := make([]int32, 0, n)
	for j, c := range counts {
		for range c {
			order = append(order, int32(j))
		}
	}
	r := rand.New(rand.NewPCG(13, 8))
	r.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
	return order
}

// exactLine is record i of the exact topic, of pair j: pair j's source is 10.0.x.y for even
// j, 2001:db8::x for odd j, each with a template of its address family.
func exactLine(dst []byte, v4, v6 []template, i int, j int32) []byte {
	fam := v4
	if j%2 == 1 && len(v6) > 0 || len(v4) == 0 {
		fam = v6
	}
	t := fam[i%len(fam)]
	return appendLine(dst, withSource(t, spoofed(int(j), templateV6(t))), int64(i+1), int64(i)*100_000)
}

// generateTalkers writes (or finds in the cache) the two topics' envelopes.
func generateTalkers(cfg config, tpl []template, log *slog.Logger) (talkersData, error) {
	key, err := cacheKey(cfg)
	if err != nil {
		return talkersData{}, err
	}
	dir := filepath.Join(cfg.data, fmt.Sprintf("talkers-%d-%s-%s", cfg.lines, key, talkersGenVersion))
	d := talkersData{flood: filepath.Join(dir, "flood.jsonl"), exact: filepath.Join(dir, "exact.jsonl")}
	if _, err := os.Stat(filepath.Join(dir, "done")); err == nil {
		log.Info("talkers input from cache", "dir", dir)
		return d, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return d, err
	}
	log.Info("generating talkers input", "lines", cfg.lines, "dir", dir)
	v4, v6 := splitFamilies(tpl)
	if err := writeEnvelopes(d.flood, cfg.lines, func(dst []byte, i int) []byte { return floodLine(dst, tpl, i) }); err != nil {
		return d, err
	}
	order := exactOrder(cfg.lines)
	if err := writeEnvelopes(d.exact, cfg.lines, func(dst []byte, i int) []byte { return exactLine(dst, v4, v6, i, order[i]) }); err != nil {
		return d, err
	}
	return d, os.WriteFile(filepath.Join(dir, "done"), nil, 0o644)
}

// writeEnvelopes writes n Connect envelopes, one a line, of the lines line(i) renders.
func writeEnvelopes(path string, n int, line func(dst []byte, i int) []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var l, env []byte
	for i := range n {
		l = line(l[:0], i)
		env = connector.FormatJSONSchema.AppendValue(env[:0], l)
		w.Write(append(env, '\n'))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// talker is one key's exact figures.
type talker struct {
	key            string // "src dst", or the host
	packets, bytes int64
}

// exactCounter counts packets and bytes per key from the records' payloads, splitting
// each tshark line on whitespace as a user's script would (Source, Destination and Length
// are fields 2, 4 and 6): an answer made without bridge's parser, to check bridge's by.
type exactCounter struct {
	host bool // count per host (tx and rx), not per directed pair
	keys map[string]*talker
}

func newExactCounter(host bool) *exactCounter {
	return &exactCounter{host: host, keys: map[string]*talker{}}
}

// addLine counts one tshark line; it reports whether the line had the fields.
func (c *exactCounter) addLine(line string) bool {
	f := strings.Fields(line)
	if len(f) < 7 {
		return false
	}
	n, err := strconv.ParseInt(f[6], 10, 64)
	if err != nil {
		return false
	}
	if c.host {
		c.count(f[2], n)
		c.count(f[4], n)
		return true
	}
	c.count(f[2]+" "+f[4], n)
	return true
}

func (c *exactCounter) count(key string, n int64) {
	t := c.keys[key]
	if t == nil {
		t = &talker{key: key}
		c.keys[key] = t
	}
	t.packets++
	t.bytes += n
}

// addEnvelopes counts every record of an envelope file.
func (c *exactCounter) addEnvelopes(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var env struct{ Payload string }
	for sc.Scan() {
		if err := json.Unmarshal(sc.Bytes(), &env); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if !c.addLine(env.Payload) {
			return fmt.Errorf("%s: not a tshark line: %q", path, env.Payload)
		}
	}
	return sc.Err()
}

// top returns the n largest keys by packets (or bytes), ties by key ascending, as bridge
// orders them.
func (c *exactCounter) top(n int, byBytes bool) []talker {
	all := make([]talker, 0, len(c.keys))
	for _, t := range c.keys {
		all = append(all, *t)
	}
	measure := func(t talker) int64 {
		if byBytes {
			return t.bytes
		}
		return t.packets
	}
	slices.SortFunc(all, func(a, b talker) int {
		if d := cmp.Compare(measure(b), measure(a)); d != 0 {
			return d
		}
		return cmp.Compare(a.key, b.key)
	})
	return all[:min(n, len(all))]
}
