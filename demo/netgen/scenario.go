package main

import (
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/google/gopacket/layers"
)

// length is how long the capture runs; the demo replays it round after round.
const length = 60 * time.Second

// Names the workstations look up before connecting, one per server of the same index.
var (
	webNames  = []string{"www.example.com", "intranet.example.net", "status.example.org"}
	tlsNames  = []string{"cdn.example.com", "api.example.com", "mail.example.net", "calendar.example.org", "docs.example.com", "chat.example.net", "updates.example.org"}
	tls6Names = []string{"v6.example.com", "files.example.net", "git.example.org"}
)

// office writes the minute of traffic: browsing (DNS, then HTTP or TLS) from every
// workstation, an interactive SSH session that leads by packets, a download that leads by
// bytes, NTP, a monitoring ping, ARP, DHCP and mDNS, and a port scan of the NAS at 30 s.
func office(c *capture) {
	n := newNetwork()
	c.dhcp(300*time.Millisecond, n.laptop, n.gw)
	linkLocal(c, n)
	browsing(c, n)
	for i, ws := range n.staff[:8] {
		at := time.Duration(500+i*450) * time.Millisecond
		c.ntp(at, ws, n.ntp[i%2], c.jitter(18*time.Millisecond))
		c.ntp(at+32*time.Second, ws, n.ntp[i%2], c.jitter(18*time.Millisecond))
	}
	for i := range int(length / time.Second) {
		c.ping(time.Duration(i)*time.Second+150*time.Millisecond, n.nas, n.gw, 0x1f2e, uint16(i+1), c.jitter(400*time.Microsecond))
	}
	interactive(c, n.staff[2], n.ssh)
	download(c, n.staff[6], n.mirror, n.gw)
	scan(c, 30*time.Second, n.admin, n.nas)
}

// browsing is every workstation looking up a name and fetching a page, every few hundred
// milliseconds somewhere in the office.
func browsing(c *capture, n *network) {
	for at := 20 * time.Millisecond; at < length-2*time.Second; at += c.jitter(400 * time.Millisecond) {
		rtt := c.jitter(24 * time.Millisecond)
		switch r := c.rnd.IntN(10); {
		case r < 6:
			i := c.rnd.IntN(len(n.tls))
			ws := n.staff[c.rnd.IntN(len(n.staff))]
			c.dns(at, ws, n.gw, tlsNames[i], n.tls[i].ip, c.jitter(8*time.Millisecond))
			c.https(at+12*time.Millisecond, ws, n.tls[i], tlsNames[i], 300+c.rnd.IntN(1800), rtt)
		case r < 8:
			i := c.rnd.IntN(len(n.web))
			ws := n.staff[c.rnd.IntN(len(n.staff))]
			c.dns(at, ws, n.gw, webNames[i], n.web[i].ip, c.jitter(8*time.Millisecond))
			k := c.dial(at+12*time.Millisecond, ws, n.web[i], 80, rtt)
			k.request(httpGet(webNames[i], pick(c.rnd, "/", "/index.html", "/news", "/status.json")))
			k.reply(c.httpOK("text/html", 300+c.rnd.IntN(2000)), 150*time.Microsecond)
			k.close()
		default:
			i := c.rnd.IntN(len(n.tls6))
			ws := n.staff6[c.rnd.IntN(len(n.staff6))]
			c.dns(at, ws, n.dns6, tls6Names[i], n.tls6[i].ip, c.jitter(20*time.Millisecond))
			c.https(at+30*time.Millisecond, ws, n.tls6[i], tls6Names[i], 300+c.rnd.IntN(1800), rtt)
		}
	}
}

// linkLocal is what stays on the office segment: ARP for the router, the printer's mDNS
// announcements and the laptop asking who prints.
func linkLocal(c *capture, n *network) {
	printer6 := &host{name: "printer-v6", mac: n.printer.mac, ip: netip.MustParseAddr("fe80::21b:78ff:fe10:f")}
	for at := 50 * time.Millisecond; at < length; at += 20 * time.Second {
		c.mdnsAnnounce(at, n.printer, mdns4, "_ipp._tcp.local", "Office Printer")
		c.mdnsAnnounce(at+time.Millisecond, printer6, mdns6, "_ipp._tcp.local", "Office Printer")
	}
	c.mdnsQuery(1200*time.Millisecond, n.laptop, mdns4, "_ipp._tcp.local")
	c.arp(400*time.Millisecond, n.laptop, n.gw, true)
	for at := 700 * time.Millisecond; at < length; at += c.jitter(2 * time.Second) {
		ws := n.staff[c.rnd.IntN(len(n.staff))]
		c.arp(at, ws, n.gw, true)
	}
	c.arp(29500*time.Millisecond, n.admin, n.nas, true)
}

// interactive is an SSH session open before the capture: a keystroke, its echo, the ACK,
// many times a second. Small packets: it leads the capture by packets, not by bytes.
func interactive(c *capture, ws, bastion *host) {
	k := c.existing(800*time.Millisecond, ws, bastion, 22, c.jitter(30*time.Millisecond))
	for k.at < length-time.Second {
		k.seg(true, layers.TCP{PSH: true, ACK: true}, c.bytes(36))
		k.at += k.rtt
		k.seg(false, layers.TCP{PSH: true, ACK: true}, c.bytes(36))
		k.at += c.jitter(40 * time.Millisecond)
		k.seg(true, layers.TCP{ACK: true}, nil)
		k.at += c.jitter(80 * time.Millisecond)
	}
}

// download is one workstation fetching an image from the mirror over HTTP: few packets,
// all full-sized, so it leads the capture by bytes.
func download(c *capture, ws, mirror, resolver *host) {
	at := 12 * time.Second
	c.dns(at, ws, resolver, "mirror.example.org", mirror.ip, 6*time.Millisecond)
	k := c.dial(at+10*time.Millisecond, ws, mirror, 80, 35*time.Millisecond)
	k.request(httpGet("mirror.example.org", "/images/office-tools-2026.03.img"))
	k.reply(c.httpOK("application/octet-stream", 150*mss-200), 20*time.Millisecond)
	k.close()
}

// scan is a SYN scan of the NAS's first 400 ports in a second and a half: RST for closed
// ports, SYN-ACK (then the scanner's RST) for the open ones.
func scan(c *capture, at time.Duration, scanner, target *host) {
	open := map[int]bool{22: true, 80: true, 139: true, 443: true, 445: true}
	sport := c.ephemeral()
	for i, p := range c.rnd.Perm(400) {
		port := uint16(p + 1)
		t := at + time.Duration(i)*3700*time.Microsecond
		seq := c.rnd.Uint32()
		syn := &layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(port), Seq: seq, SYN: true, Window: 1024,
			Options: []layers.TCPOption{{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}}}}
		c.send(t, scanner, target, syn)
		back := &layers.TCP{SrcPort: layers.TCPPort(port), DstPort: layers.TCPPort(sport), Ack: seq + 1, ACK: true}
		if !open[int(port)] {
			back.RST = true
			c.send(t+c.jitter(300*time.Microsecond), target, scanner, back)
			continue
		}
		back.SYN, back.Seq, back.Window = true, c.rnd.Uint32(), 64240
		c.send(t+c.jitter(300*time.Microsecond), target, scanner, back)
		c.send(t+c.jitter(600*time.Microsecond), scanner, target,
			&layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(port), Seq: seq + 1, RST: true})
	}
}

func pick(r *rand.Rand, s ...string) string { return s[r.IntN(len(s))] }
