package parser

// A tiny pcap writer and frame builders. The tshark agreement test renders these synthetic
// captures with the real tshark, so every frame only uses loopback or documentation addresses
// (RFC 5737 / RFC 3849) and the captures are files: nothing is ever sent.

import (
	"bytes"
	"encoding/binary"
	"net/netip"
)

// Link-layer header types (tcpdump.org/linktypes.html).
const (
	linkEthernet  = 1
	linkIEEE80211 = 105
	linkRadiotap  = 127
	linkUser0     = 147 // LINKTYPE_USER0: tshark has no dissector for it by default
)

// pcapRecord is one captured frame.
type pcapRecord struct {
	sec, frac uint32 // frac is µs or ns depending on the file's magic
	data      []byte
}

// writePcap serialises a classic pcap file: global header + records, little endian.
// nano selects the nanosecond magic so tshark prints 9 fractional digits.
func writePcap(link uint32, nano bool, recs []pcapRecord) []byte {
	var b bytes.Buffer
	magic := uint32(0xa1b2c3d4)
	if nano {
		magic = 0xa1b23c4d
	}
	le := binary.LittleEndian
	hdr := make([]byte, 24)
	le.PutUint32(hdr[0:], magic)
	le.PutUint16(hdr[4:], 2) // version 2.4
	le.PutUint16(hdr[6:], 4)
	le.PutUint32(hdr[16:], 65535) // snaplen
	le.PutUint32(hdr[20:], link)
	b.Write(hdr)
	for _, r := range recs {
		rh := make([]byte, 16)
		le.PutUint32(rh[0:], r.sec)
		le.PutUint32(rh[4:], r.frac)
		le.PutUint32(rh[8:], uint32(len(r.data)))
		le.PutUint32(rh[12:], uint32(len(r.data)))
		b.Write(rh)
		b.Write(r.data)
	}
	return b.Bytes()
}

// mac parses "aa:bb:cc:dd:ee:ff".
func mac(s string) []byte {
	out := make([]byte, 0, 6)
	for i := 0; i+1 < len(s); i += 3 {
		out = append(out, hexByte(s[i])<<4|hexByte(s[i+1]))
	}
	return out
}

func hexByte(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func be16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// checksum is the Internet checksum (RFC 1071) over the concatenated parts.
func checksum(parts ...[]byte) uint16 {
	var sum uint32
	data := cat(parts...)
	for i := 0; i+1 < len(data); i += 2 {
		sum += uint32(data[i])<<8 | uint32(data[i+1])
	}
	if len(data)%2 == 1 {
		sum += uint32(data[len(data)-1]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

func ethernet(dst, src string, etherType uint16, payload []byte) []byte {
	return cat(mac(dst), mac(src), be16(etherType), payload)
}

func ipv4(src, dst string, proto byte, payload []byte) []byte {
	s, d := netip.MustParseAddr(src).As4(), netip.MustParseAddr(dst).As4()
	h := cat([]byte{0x45, 0}, be16(uint16(20+len(payload))), be16(0x1234), be16(0x4000),
		[]byte{64, proto}, be16(0), s[:], d[:])
	binary.BigEndian.PutUint16(h[10:], checksum(h))
	return cat(h, payload)
}

func ipv6(src, dst string, next byte, payload []byte) []byte {
	s, d := netip.MustParseAddr(src).As16(), netip.MustParseAddr(dst).As16()
	return cat([]byte{0x60, 0, 0, 0}, be16(uint16(len(payload))), []byte{next, 64}, s[:], d[:], payload)
}

// tcp builds a TCP header without options; flags e.g. 0x02 SYN, 0x12 SYN/ACK, 0x18 PSH/ACK.
func tcp(sport, dport uint16, seq, ack uint32, flags byte, payload []byte) []byte {
	return cat(be16(sport), be16(dport), be32(seq), be32(ack), []byte{0x50, flags},
		be16(65535), be16(0), be16(0), payload)
}

func udp(sport, dport uint16, payload []byte) []byte {
	return cat(be16(sport), be16(dport), be16(uint16(8+len(payload))), be16(0), payload)
}

func icmpEcho(typ byte, id, seq uint16) []byte {
	m := cat([]byte{typ, 0}, be16(0), be16(id), be16(seq), []byte("bridge-ping"))
	binary.BigEndian.PutUint16(m[2:], checksum(m))
	return m
}

// dnsQuery is a standard query for name (type A).
func dnsQuery(id uint16, name string) []byte {
	q := cat(be16(id), be16(0x0100), be16(1), be16(0), be16(0), be16(0))
	for _, label := range bytes.Split([]byte(name), []byte(".")) {
		q = append(q, byte(len(label)))
		q = append(q, label...)
	}
	return cat(q, []byte{0}, be16(1), be16(1))
}

// arp builds an Ethernet/IPv4 ARP packet; op 1 = request, 2 = reply.
func arp(op uint16, sha, spa, tha, tpa string) []byte {
	s, t := netip.MustParseAddr(spa).As4(), netip.MustParseAddr(tpa).As4()
	return cat(be16(1), be16(0x0800), []byte{6, 4}, be16(op), mac(sha), s[:], mac(tha), t[:])
}

// MAC addresses: Apple and Cisco OUIs make tshark print vendor names with -N m; 02:… is a
// locally administered address no vendor owns.
const (
	macApple     = "a4:5e:60:12:34:56"
	macApple2    = "3c:22:fb:ab:cd:ef"
	macCisco     = "00:00:0c:12:34:56"
	macHSRP      = "00:00:0c:07:ac:01" // a well-known address: "All-HSRP-routers_01"
	macLocal     = "02:00:5e:10:00:01"
	macLocal2    = "02:00:5e:10:00:02"
	macBroadcast = "ff:ff:ff:ff:ff:ff"
	macSTP       = "01:80:c2:00:00:00"
)

// ethernetCapture covers IPv4 (TCP, UDP, ICMP), IPv6 (TCP, UDP, ICMPv6), ARP with vendor
// and broadcast names, a well-known multicast name and an unknown EtherType.
func ethernetCapture() []pcapRecord {
	v4 := func(src, dst string, proto byte, p []byte) []byte {
		return ethernet(macLocal2, macLocal, 0x0800, ipv4(src, dst, proto, p))
	}
	v6 := func(src, dst string, next byte, p []byte) []byte {
		return ethernet(macApple2, macApple, 0x86dd, ipv6(src, dst, next, p))
	}
	icmp6 := func(src, dst string) []byte {
		m := icmpEcho(128, 7, 1)
		binary.BigEndian.PutUint16(m[2:], 0) // tshark does not verify ICMPv6 checksums by default
		return v6(src, dst, 58, m)
	}
	stp := cat([]byte{0x42, 0x42, 0x03}, make([]byte, 35))
	frames := [][]byte{
		v4("127.0.0.1", "127.0.0.1", 6, tcp(40000, 8080, 1, 0, 0x02, nil)),
		v4("127.0.0.1", "127.0.0.1", 6, tcp(8080, 40000, 100, 2, 0x12, nil)),
		v4("127.0.0.1", "127.0.0.1", 6, tcp(40000, 8080, 2, 101, 0x18, []byte("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))),
		v4("192.0.2.10", "198.51.100.53", 17, udp(53000, 53, dnsQuery(0xbeef, "example.com"))),
		v4("192.0.2.10", "203.0.113.9", 17, udp(40001, 9999, []byte("hello"))),
		v4("127.0.0.1", "127.0.0.1", 1, icmpEcho(8, 1, 1)),
		v4("127.0.0.1", "127.0.0.1", 1, icmpEcho(0, 1, 1)),
		v6("::1", "::1", 6, tcp(40002, 443, 1, 0, 0x02, nil)),
		v6("2001:db8::1", "2001:db8:0:1234:5678:9abc:def0:1", 17, udp(40003, 9999, []byte("x"))),
		icmp6("2001:db8::1", "2001:db8::2"),
		ethernet(macBroadcast, macApple, 0x0806, arp(1, macApple, "192.0.2.1", "00:00:00:00:00:00", "192.0.2.2")),
		ethernet(macApple, macCisco, 0x0806, arp(2, macCisco, "192.0.2.2", macApple, "192.0.2.1")),
		ethernet(macBroadcast, macLocal, 0x0806, arp(1, macLocal, "192.0.2.7", "00:00:00:00:00:00", "192.0.2.7")),
		ethernet(macSTP, macHSRP, uint16(len(stp)), stp), // 802.3 length field + LLC: STP
		ethernet(macLocal2, macLocal, 0x88b5, []byte("local experimental ethertype")),
	}
	return stamp(frames, 1764270242, []uint32{
		0, 906_723, 1_000_000, 250_000_000, 999_999_999, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
	}, []int64{0, 0, 0, 0, 0, 61, 0, 3600, 0, -7200, 7300, 0, 86400, 0, 5})
}

// stamp gives frame i the time of frame i-1 plus addSec[i] seconds, with fraction frac[i]
// (nanoseconds). Negative steps make tshark print negative relative and delta times.
func stamp(frames [][]byte, start int64, frac []uint32, addSec []int64) []pcapRecord {
	recs := make([]pcapRecord, len(frames))
	sec := start
	for i, f := range frames {
		sec += addSec[i%len(addSec)]
		recs[i] = pcapRecord{sec: uint32(sec), frac: frac[i%len(frac)], data: f}
	}
	return recs
}

// toMicro rescales nanosecond fractions for a microsecond pcap.
func toMicro(recs []pcapRecord) []pcapRecord {
	out := make([]pcapRecord, len(recs))
	for i, r := range recs {
		r.frac /= 1000
		out[i] = r
	}
	return out
}

// dot11 builds an IEEE 802.11 frame: frame control (type/subtype/flags), duration, the given
// address fields and the rest of the body.
func dot11(fcType, subtype, flags byte, addrs []string, rest ...[]byte) []byte {
	f := []byte{subtype<<4 | fcType<<2, flags, 0x3a, 0x01}
	for _, a := range addrs {
		f = append(f, mac(a)...)
	}
	return cat(append([][]byte{f}, rest...)...)
}

func ie(id byte, body []byte) []byte { return cat([]byte{id, byte(len(body))}, body) }

// wifiFrames covers control frames whose addresses tshark shows as "… (RA)" / "… (TA)",
// management frames and data frames carrying IPv4.
func wifiFrames() [][]byte {
	const (
		ctl, mgmt, data = 1, 0, 2
	)
	seq := be16(0x0010)
	ssid := ie(0, []byte("bridge-test"))
	rates := ie(1, []byte{0x82, 0x84, 0x8b, 0x96})
	beaconBody := cat(make([]byte, 8), []byte{0x64, 0}, []byte{0x01, 0x04}, ssid, rates)
	llcIP := func(p []byte) []byte { return cat([]byte{0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00}, p) }
	ipUDP := ipv4("192.0.2.20", "192.0.2.1", 17, udp(40000, 9, []byte("wifi")))
	return [][]byte{
		dot11(mgmt, 8, 0, []string{macBroadcast, macApple, macApple}, seq, beaconBody),
		dot11(mgmt, 4, 0, []string{macBroadcast, macLocal, macBroadcast}, seq, ssid, rates),
		dot11(ctl, 11, 0, []string{macApple, macLocal}),                                              // RTS
		dot11(ctl, 12, 0, []string{macLocal}),                                                        // CTS
		dot11(ctl, 13, 0, []string{macApple}),                                                        // ACK
		dot11(ctl, 13, 0, []string{macLocal2}),                                                       // ACK, no vendor
		dot11(ctl, 8, 0, []string{macApple, macApple2}, be16(0x0004), be16(0x0010)),                  // BlockAckReq
		dot11(ctl, 9, 0, []string{macApple2, macApple}, be16(0x0004), be16(0x0010), make([]byte, 8)), // BlockAck
		dot11(ctl, 10, 0, []string{macApple, macLocal}),                                              // PS-Poll
		dot11(ctl, 14, 0, []string{macBroadcast, macApple}),                                          // CF-End
		dot11(data, 0, 0x01, []string{macApple, macLocal, macCisco}, seq, llcIP(ipUDP)),              // to DS
		dot11(data, 0, 0x02, []string{macLocal, macApple, macCisco}, seq, llcIP(ipUDP)),              // from DS
		dot11(data, 4, 0x01, []string{macApple, macLocal, macApple}, seq),                            // Null function
		dot11(data, 8, 0x01, []string{macApple, macApple2, macCisco}, seq, be16(0), llcIP(ipUDP)),    // QoS data
		dot11(mgmt, 12, 0, []string{macLocal, macApple, macApple}, seq, be16(7)),                     // Deauthentication
		dot11(mgmt, 13, 0, []string{macApple, macLocal, macApple}, seq, []byte{4, 0}),                // Action
	}
}

func wifiRawCapture() []pcapRecord {
	return stamp(wifiFrames(), 1764270300, []uint32{0, 1_000, 2_000, 500_000_000}, []int64{0, 0, 1, 0})
}

// radiotapCapture prefixes each frame with the smallest radiotap header (no fields present).
func radiotapCapture() []pcapRecord {
	rt := []byte{0, 0, 8, 0, 0, 0, 0, 0}
	frames := wifiFrames()
	for i, f := range frames {
		frames[i] = cat(rt, f)
	}
	return stamp(frames, 1764270400, []uint32{123_000, 456_000}, []int64{0, 1, 0, 2})
}

// user0Capture is frames of a link type tshark does not dissect (LINKTYPE_USER0 without a
// DLT_USER table): it prints Source, Destination, Protocol and Info blank, and only the
// number, time and length tell the frames apart. One frame is empty (Length 0).
func user0Capture() []pcapRecord {
	frames := [][]byte{
		{0x01, 0x02, 0x03},
		[]byte("bridge: a frame tshark cannot dissect"),
		{},
		bytes.Repeat([]byte{0xff}, 1514),
	}
	return stamp(frames, 1764270500, []uint32{0, 250_000_000, 999_999_999}, []int64{0, 1, 0, 60})
}
