package main

import (
	"fmt"
	"net"
	"net/netip"
)

// host is one address on the capture: an office machine seen with its own MAC, or a
// remote server seen behind the router's MAC, as a mirror port on the office switch sees it.
type host struct {
	name string
	mac  net.HardwareAddr
	ip   netip.Addr
}

// The OUIs give tshark's MAC column believable vendors (Dell, Apple, Synology, HP, Cisco).
var (
	ouiDell     = [3]byte{0x00, 0x14, 0x22}
	ouiApple    = [3]byte{0x3c, 0x22, 0xfb}
	ouiSynology = [3]byte{0x00, 0x11, 0x32}
	ouiHP       = [3]byte{0x00, 0x1b, 0x78}
	ouiCisco    = [3]byte{0x00, 0x1a, 0xa1}
)

func mac(oui [3]byte, n int) net.HardwareAddr {
	return net.HardwareAddr{oui[0], oui[1], oui[2], 0x10, byte(n >> 8), byte(n)}
}

// network is the office and the servers it reaches. Office hosts use 10.20.0.0/24 and
// fd00::/64; the servers use only the documentation ranges (RFC 5737, RFC 3849).
type network struct {
	gw, nas, printer, admin, laptop *host
	staff                           []*host // workstations, some dual-stack
	staff6                          []*host // the IPv6 addresses of the dual-stack ones
	web, tls, tls6, ntp             []*host
	dns6, ssh, mirror               *host
}

func newNetwork() *network {
	n := &network{}
	gwMAC := mac(ouiCisco, 1)
	office := func(name string, oui [3]byte, last int) *host {
		return &host{name: name, mac: mac(oui, last), ip: netip.AddrFrom4([4]byte{10, 20, 0, byte(last)})}
	}
	remote := func(name, ip string) *host {
		return &host{name: name, mac: gwMAC, ip: netip.MustParseAddr(ip)}
	}
	n.gw = &host{name: "gw", mac: gwMAC, ip: netip.MustParseAddr("10.20.0.1")}
	n.nas = office("nas", ouiSynology, 10)
	n.printer = office("printer", ouiHP, 15)
	n.admin = office("admin", ouiDell, 66)
	n.laptop = office("laptop", ouiApple, 121)
	for i := range 16 {
		oui := ouiDell
		if i%3 == 2 {
			oui = ouiApple
		}
		ws := office(fmt.Sprintf("ws%02d", i+1), oui, 101+i)
		n.staff = append(n.staff, ws)
		if i%4 == 0 {
			v6 := netip.MustParseAddr(fmt.Sprintf("fd00::%x", 0x101+i))
			n.staff6 = append(n.staff6, &host{name: ws.name + "-v6", mac: ws.mac, ip: v6})
		}
	}
	for _, ip := range []string{"192.0.2.10", "192.0.2.80", "203.0.113.80"} {
		n.web = append(n.web, remote("www", ip))
	}
	for _, ip := range []string{"198.51.100.10", "198.51.100.20", "198.51.100.30", "198.51.100.44",
		"192.0.2.43", "203.0.113.5", "203.0.113.25"} {
		n.tls = append(n.tls, remote("tls", ip))
	}
	for _, ip := range []string{"2001:db8:1::443", "2001:db8:2::10", "2001:db8:cafe::1"} {
		n.tls6 = append(n.tls6, remote("tls6", ip))
	}
	n.ntp = []*host{remote("ntp", "198.51.100.123"), remote("ntp", "203.0.113.123")}
	n.dns6 = remote("dns6", "2001:db8::53")
	n.ssh = remote("bastion", "203.0.113.22")
	n.mirror = remote("mirror", "192.0.2.200")
	return n
}
