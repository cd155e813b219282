package stream

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/talkers"
)

// writeCapture writes a synthetic capture: UDP over IPv4 and IPv6 between a few hosts in
// both directions, frame lengths that vary. No traffic is sent to make it.
func writeCapture(t *testing.T, path string) {
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	w := pcapgo.NewWriter(f)
	require.NoError(t, w.WriteFileHeader(65535, layers.LinkTypeEthernet))
	v4 := []net.IP{{10, 0, 0, 1}, {10, 0, 0, 2}, {192, 168, 1, 7}, {172, 16, 0, 9}}
	v6 := []net.IP{net.ParseIP("2001:db8::1"), net.ParseIP("2001:db8::2"), net.ParseIP("fe80::3")}
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for i := range 300 {
		eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{0, 1, 2, 3, 4, 5}, DstMAC: net.HardwareAddr{0, 1, 2, 3, 4, 6}}
		udp := &layers.UDP{SrcPort: layers.UDPPort(1000 + i%5), DstPort: 53}
		var ip gopacket.NetworkLayer
		if i%4 == 3 {
			eth.EthernetType = layers.EthernetTypeIPv6
			ip6 := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolUDP,
				SrcIP: v6[i%3], DstIP: v6[(i/3+1+i%3)%3]}
			if ip6.SrcIP.Equal(ip6.DstIP) {
				ip6.DstIP = v6[(i+1)%3]
			}
			ip = ip6
		} else {
			eth.EthernetType = layers.EthernetTypeIPv4
			ip4 := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP,
				SrcIP: v4[i%4], DstIP: v4[(i*7/5+1)%4]}
			if ip4.SrcIP.Equal(ip4.DstIP) {
				ip4.DstIP = v4[(i+1)%4]
			}
			ip = ip4
		}
		require.NoError(t, udp.SetNetworkLayerForChecksum(ip))
		buf := gopacket.NewSerializeBuffer()
		payload := gopacket.Payload(bytes.Repeat([]byte{'x'}, (i*37)%700))
		require.NoError(t, gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
			eth, ip.(gopacket.SerializableLayer), udp, payload))
		data := buf.Bytes()
		ci := gopacket.CaptureInfo{Timestamp: t0.Add(time.Duration(i) * 13 * time.Millisecond), CaptureLength: len(data), Length: len(data)}
		require.NoError(t, w.WritePacket(ci, data))
	}
}

func tsharkOut(t *testing.T, args ...string) string {
	out, err := exec.Command("tshark", args...).Output()
	require.NoError(t, err, "tshark %v", args)
	return string(out)
}

// TestTotalsAgreeWithTshark is issue 13 point 4: on a capture rendered by tshark, the
// totals of bridge parse --key equal what tshark's own Source, Destination and frame
// length columns give, key for key, on every time layout; and frames per IP conversation
// equal tshark -q -z conv,ip and conv,ipv6.
func TestTotalsAgreeWithTshark(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("needs tshark")
	}
	pcap := filepath.Join(t.TempDir(), "talk.pcap")
	writeCapture(t, pcap)
	cols := tsharkOut(t, "-r", pcap, "-T", "fields", "-E", "separator=/t",
		"-e", "_ws.col.Source", "-e", "_ws.col.Destination", "-e", "frame.len")
	want := map[talkers.KeyKind]map[string][2]int64{talkers.Pair: {}, talkers.Conversation: {}, talkers.Host: {}}
	count := func(kind talkers.KeyKind, key string, length int64) {
		v := want[kind][key]
		want[kind][key] = [2]int64{v[0] + 1, v[1] + length}
	}
	for _, line := range strings.Split(strings.TrimSpace(cols), "\n") {
		f := strings.Split(line, "\t")
		require.Len(t, f, 3, line)
		n, err := strconv.ParseInt(f[2], 10, 64)
		require.NoError(t, err)
		count(talkers.Pair, f[0]+" "+f[1], n)
		a, b := orderAddrs(f[0], f[1])
		count(talkers.Conversation, a+" "+b, n)
		count(talkers.Host, f[0], n)
		count(talkers.Host, f[1], n)
	}
	for _, layout := range []string{"r", "ad", "e", "u", "dd"} {
		text := tsharkOut(t, "-r", pcap, "-t", layout)
		for kind := range want {
			t.Run(layout+"/"+kind.String(), func(t *testing.T) {
				got := totalsOf(t, text, kind)
				assert.Equal(t, want[kind], got)
			})
		}
	}
	t.Run("conv", func(t *testing.T) {
		got := totalsOf(t, tsharkOut(t, "-r", pcap), talkers.Conversation)
		conv := convFrames(t, tsharkOut(t, "-q", "-r", pcap, "-z", "conv,ip", "-z", "conv,ipv6"))
		require.NotEmpty(t, conv)
		if testing.Verbose() {
			t.Logf("conv %v", conv)
		}
		frames := map[string]int64{}
		for k, v := range got {
			frames[k] = v[0]
		}
		assert.Equal(t, conv, frames)
	})
}

// orderAddrs orders a conversation's ends as talkers does for IP addresses: by their
// binary address, IPv4 before IPv6 (IPv4 as its 4 bytes).
func orderAddrs(a, b string) (string, string) {
	key := func(s string) []byte {
		ip := net.ParseIP(s)
		if v4 := ip.To4(); v4 != nil {
			return append([]byte{4}, v4...)
		}
		return append([]byte{6}, ip...)
	}
	if bytes.Compare(key(a), key(b)) <= 0 {
		return a, b
	}
	return b, a
}

// totalsOf runs bridge parse --key kind --format tsv over text: key -> packets, bytes.
func totalsOf(t *testing.T, text string, kind talkers.KeyKind) map[string][2]int64 {
	tot, err := NewTotals(TotalsConfig{ParseConfig: ParseConfig{Parser: ParseTshark, Format: OutputTSV}, Key: kind})
	require.NoError(t, err)
	st, err := tot.Read(strings.NewReader(text))
	require.NoError(t, err)
	require.Zero(t, st.NotPacket)
	var out bytes.Buffer
	require.NoError(t, tot.Write(&out))
	got := map[string][2]int64{}
	sc := bufio.NewScanner(&out)
	sc.Scan() // the header
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if strings.HasPrefix(f[0], "#") {
			continue
		}
		key := f[0]
		if kind != talkers.Host {
			key, f = f[0]+" "+f[1], f[1:]
		}
		p, err1 := strconv.ParseInt(f[1], 10, 64)
		b, err2 := strconv.ParseInt(f[2], 10, 64)
		require.NoError(t, err1)
		require.NoError(t, err2)
		got[key] = [2]int64{p, b}
	}
	return got
}

var convLine = regexp.MustCompile(`^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+\S+(?:\s+\S+)?\s+(\d+)\s+\S+(?:\s+\S+)?\s+(\d+)\s`)

// convFrames reads tshark's conversation tables: "a b" -> total frames.
func convFrames(t *testing.T, text string) map[string]int64 {
	out := map[string]int64{}
	for _, line := range strings.Split(text, "\n") {
		m := convLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n, err := strconv.ParseInt(m[5], 10, 64)
		require.NoError(t, err)
		a, b := orderAddrs(m[1], m[2])
		out[a+" "+b] = n
	}
	return out
}
