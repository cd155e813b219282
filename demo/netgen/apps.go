package main

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/google/gopacket/layers"
)

// Application payloads. They are well-formed enough for tshark to name each protocol and
// summarise it (Client Hello with its SNI, GET with its path), and no more.

func httpGet(host, path string) []byte {
	return fmt.Appendf(nil, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n"+
		"Accept: */*\r\nConnection: close\r\n\r\n", path, host)
}

func (c *capture) httpOK(ctype string, n int) []byte {
	const line = "<p>bridge demo office network</p>\n"
	body := strings.Repeat(line, n/len(line)+1)[:n]
	if ctype != "text/html" {
		body = string(c.bytes(n))
	}
	return fmt.Appendf(nil, "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s", ctype, n, body)
}

// tlsRecord wraps body in a TLS 1.2-versioned record of the given content type.
func tlsRecord(typ byte, body []byte) []byte {
	return append([]byte{typ, 3, 3, byte(len(body) >> 8), byte(len(body))}, body...)
}

func handshake(typ byte, body []byte) []byte {
	return append([]byte{typ, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
}

func u16(v int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(v)) }

// clientHello is a TLS 1.3 Client Hello naming sni, with one cipher suite.
func (c *capture) clientHello(sni string) []byte {
	name := append(append([]byte{0}, u16(len(sni))...), sni...)
	sniExt := append(append([]byte{0, 0}, u16(len(name)+2)...), append(u16(len(name)), name...)...)
	versions := []byte{0, 0x2b, 0, 3, 2, 3, 4}
	ext := append(sniExt, versions...)
	body := append([]byte{3, 3}, c.bytes(32)...)
	body = append(body, 0, 0, 2, 0x13, 0x01, 1, 0)
	body = append(append(body, u16(len(ext))...), ext...)
	return tlsRecord(22, handshake(1, body))
}

// serverHello is the server's first flight: Server Hello, Change Cipher Spec and the
// encrypted rest of the handshake.
func (c *capture) serverHello() []byte {
	body := append([]byte{3, 3}, c.bytes(32)...)
	body = append(body, 0, 0x13, 0x01, 0, 0, 6, 0, 0x2b, 0, 2, 3, 4)
	p := tlsRecord(22, handshake(2, body))
	p = append(p, tlsRecord(20, []byte{1})...)
	return append(p, tlsRecord(23, c.bytes(900))...)
}

func (c *capture) appData(n int) []byte { return tlsRecord(23, c.bytes(n)) }

// https is one short TLS session: handshake, a request, an answer of n bytes.
func (c *capture) https(at time.Duration, cli, srv *host, sni string, n int, rtt time.Duration) time.Duration {
	k := c.dial(at, cli, srv, 443, rtt)
	k.request(c.clientHello(sni))
	k.reply(c.serverHello(), 200*time.Microsecond)
	k.request(append(tlsRecord(20, []byte{1}), c.appData(80)...))
	k.request(c.appData(300 + c.rnd.IntN(400)))
	k.reply(c.appData(n), 150*time.Microsecond)
	k.close()
	return k.at
}

// dns is a query from cli to resolver for name and the answer one rtt later.
func (c *capture) dns(at time.Duration, cli, resolver *host, name string, answer netip.Addr, rtt time.Duration) {
	typ := layers.DNSTypeA
	if answer.Is6() {
		typ = layers.DNSTypeAAAA
	}
	q := &layers.DNS{ID: uint16(c.rnd.UintN(1 << 16)), RD: true,
		Questions: []layers.DNSQuestion{{Name: []byte(name), Type: typ, Class: layers.DNSClassIN}}}
	port := c.ephemeral()
	c.udp(at, cli, resolver, port, 53, q)
	a := *q
	a.QR, a.RA = true, true
	a.Answers = []layers.DNSResourceRecord{{Name: []byte(name), Type: typ, Class: layers.DNSClassIN, TTL: 300, IP: answer.AsSlice()}}
	c.udp(at+rtt, resolver, cli, 53, port, &a)
}

// ntp is one client/server exchange (NTPv4, mode 3 and 4).
func (c *capture) ntp(at time.Duration, cli, srv *host, rtt time.Duration) {
	ts := layers.NTPTimestamp(uint64(start.Add(at).Unix()+2208988800) << 32)
	c.udp(at, cli, srv, 123, 123, &layers.NTP{Version: 4, Mode: 3, Poll: 6, TransmitTimestamp: ts})
	c.udp(at+rtt, srv, cli, 123, 123, &layers.NTP{Version: 4, Mode: 4, Stratum: 2, Poll: 6, Precision: -23,
		ReferenceID: 0xc6336401, ReferenceTimestamp: ts, OriginTimestamp: ts, ReceiveTimestamp: ts, TransmitTimestamp: ts})
}

// dhcp is a new laptop joining: Discover, Offer, Request, Ack between 0.0.0.0 and the router.
func (c *capture) dhcp(at time.Duration, laptop, gw *host) {
	anyHost := &host{mac: laptop.mac, ip: netip.IPv4Unspecified()}
	xid := c.rnd.Uint32()
	msg := func(op layers.DHCPOp, typ layers.DHCPMsgType, yours netip.Addr) *layers.DHCPv4 {
		opts := layers.DHCPOptions{layers.NewDHCPOption(layers.DHCPOptMessageType, []byte{byte(typ)})}
		if op == layers.DHCPOpReply {
			opts = append(opts, layers.NewDHCPOption(layers.DHCPOptServerID, gw.ip.AsSlice()),
				layers.NewDHCPOption(layers.DHCPOptLeaseTime, []byte{0, 1, 0x51, 0x80}),
				layers.NewDHCPOption(layers.DHCPOptSubnetMask, []byte{255, 255, 255, 0}),
				layers.NewDHCPOption(layers.DHCPOptRouter, gw.ip.AsSlice()),
				layers.NewDHCPOption(layers.DHCPOptDNS, gw.ip.AsSlice()))
		} else {
			opts = append(opts, layers.NewDHCPOption(layers.DHCPOptHostname, []byte("laptop")))
		}
		opts = append(opts, layers.NewDHCPOption(layers.DHCPOptEnd, nil))
		d := &layers.DHCPv4{Operation: op, HardwareType: layers.LinkTypeEthernet, HardwareLen: 6, Xid: xid,
			ClientIP: netip.IPv4Unspecified().AsSlice(), YourClientIP: yours.AsSlice(),
			NextServerIP: netip.IPv4Unspecified().AsSlice(), RelayAgentIP: netip.IPv4Unspecified().AsSlice(),
			ClientHWAddr: laptop.mac, Options: opts}
		return d
	}
	none := netip.IPv4Unspecified()
	c.udp(at, anyHost, broadcast, 68, 67, msg(layers.DHCPOpRequest, layers.DHCPMsgTypeDiscover, none))
	at += c.jitter(2 * time.Millisecond)
	c.udp(at, gw, laptop, 67, 68, msg(layers.DHCPOpReply, layers.DHCPMsgTypeOffer, laptop.ip))
	at += c.jitter(10 * time.Millisecond)
	c.udp(at, anyHost, broadcast, 68, 67, msg(layers.DHCPOpRequest, layers.DHCPMsgTypeRequest, none))
	at += c.jitter(2 * time.Millisecond)
	c.udp(at, gw, laptop, 67, 68, msg(layers.DHCPOpReply, layers.DHCPMsgTypeAck, laptop.ip))
}

// mdnsAnnounce is a host announcing a service on the link: `_ipp._tcp.local` for the printer.
func (c *capture) mdnsAnnounce(at time.Duration, src, group *host, service, instance string) {
	d := &layers.DNS{QR: true, AA: true, Answers: []layers.DNSResourceRecord{{
		Name: []byte(service), Type: layers.DNSTypePTR, Class: layers.DNSClassIN, TTL: 4500,
		PTR: []byte(instance + "." + service)}}}
	c.udp(at, src, group, 5353, 5353, d)
}

// mdnsQuery asks the link who offers service.
func (c *capture) mdnsQuery(at time.Duration, src, group *host, service string) {
	d := &layers.DNS{Questions: []layers.DNSQuestion{{Name: []byte(service), Type: layers.DNSTypePTR, Class: layers.DNSClassIN}}}
	c.udp(at, src, group, 5353, 5353, d)
}
