package main

import (
	"net"
	"net/netip"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// Multicast and broadcast peers: their MACs are the ones the IP group maps to.
var (
	broadcast = &host{name: "broadcast", mac: net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		ip: netip.MustParseAddr("255.255.255.255")}
	mdns4 = &host{name: "mdns", mac: net.HardwareAddr{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb},
		ip: netip.MustParseAddr("224.0.0.251")}
	mdns6 = &host{name: "mdns6", mac: net.HardwareAddr{0x33, 0x33, 0x00, 0x00, 0x00, 0xfb},
		ip: netip.MustParseAddr("ff02::fb")}
)

// send writes one IP frame from src to dst carrying l4 (TCP, UDP or ICMP) and what follows.
func (c *capture) send(at time.Duration, src, dst *host, l4 gopacket.SerializableLayer, rest ...gopacket.SerializableLayer) {
	eth := &layers.Ethernet{SrcMAC: src.mac, DstMAC: dst.mac}
	var ip gopacket.NetworkLayer
	var ipl gopacket.SerializableLayer
	proto := protocolOf(l4)
	if src.ip.Is4() {
		eth.EthernetType = layers.EthernetTypeIPv4
		v4 := &layers.IPv4{Version: 4, TTL: ttl(src), Protocol: proto, Flags: layers.IPv4DontFragment,
			Id: uint16(c.rnd.UintN(1 << 16)), SrcIP: src.ip.AsSlice(), DstIP: dst.ip.AsSlice()}
		ip, ipl = v4, v4
	} else {
		eth.EthernetType = layers.EthernetTypeIPv6
		v6 := &layers.IPv6{Version: 6, HopLimit: ttl(src), NextHeader: proto, SrcIP: src.ip.AsSlice(), DstIP: dst.ip.AsSlice()}
		ip, ipl = v6, v6
	}
	if l, ok := l4.(interface {
		SetNetworkLayerForChecksum(gopacket.NetworkLayer) error
	}); ok {
		if err := l.SetNetworkLayerForChecksum(ip); err != nil {
			panic(err)
		}
	}
	c.add(at, append([]gopacket.SerializableLayer{eth, ipl, l4}, rest...)...)
}

func protocolOf(l4 gopacket.SerializableLayer) layers.IPProtocol {
	switch l4.(type) {
	case *layers.TCP:
		return layers.IPProtocolTCP
	case *layers.UDP:
		return layers.IPProtocolUDP
	case *layers.ICMPv6:
		return layers.IPProtocolICMPv6
	}
	return layers.IPProtocolICMPv4
}

// ttl is what arrives at the office switch: 64 from the LAN, less from the internet.
func ttl(h *host) uint8 {
	if h.ip.IsPrivate() || h.ip.IsLinkLocalUnicast() || h.ip.IsUnspecified() || h.ip.IsMulticast() {
		return 64
	}
	return 52
}

// udp sends one datagram; payload is a layer (DNS, NTP, DHCP) or raw bytes.
func (c *capture) udp(at time.Duration, src, dst *host, sport, dport uint16, payload gopacket.SerializableLayer) {
	c.send(at, src, dst, &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}, payload)
}

func (c *capture) ephemeral() uint16 { return uint16(49152 + c.rnd.UintN(16000)) }

// arp is a who-has from asker and, when answer is set, the reply.
func (c *capture) arp(at time.Duration, asker, target *host, answer bool) {
	req := &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6,
		ProtAddressSize: 4, Operation: layers.ARPRequest, SourceHwAddress: asker.mac,
		SourceProtAddress: asker.ip.AsSlice(), DstHwAddress: make([]byte, 6), DstProtAddress: target.ip.AsSlice()}
	c.add(at, &layers.Ethernet{SrcMAC: asker.mac, DstMAC: broadcast.mac, EthernetType: layers.EthernetTypeARP}, req)
	if !answer {
		return
	}
	rep := *req
	rep.Operation = layers.ARPReply
	rep.SourceHwAddress, rep.SourceProtAddress = target.mac, target.ip.AsSlice()
	rep.DstHwAddress, rep.DstProtAddress = asker.mac, asker.ip.AsSlice()
	c.add(at+c.jitter(300*time.Microsecond), &layers.Ethernet{SrcMAC: target.mac, DstMAC: asker.mac, EthernetType: layers.EthernetTypeARP}, &rep)
}

// ping is an ICMP echo request and its reply rtt later.
func (c *capture) ping(at time.Duration, src, dst *host, id, seq uint16, rtt time.Duration) {
	data := gopacket.Payload(c.bytes(56))
	c.send(at, src, dst, &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(layers.ICMPv4TypeEchoRequest, 0), Id: id, Seq: seq}, data)
	c.send(at+rtt, dst, src, &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(layers.ICMPv4TypeEchoReply, 0), Id: id, Seq: seq}, data)
}
