package main

import (
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// mss is the payload of a full segment on Ethernet.
const mss = 1448

// conn is one TCP connection seen from the office side: the client's frames show when it
// sends them, the server's one round trip later. at is the connection's own clock.
type conn struct {
	c            *capture
	cli, srv     *host
	cport, sport uint16
	cseq, sseq   uint32
	at, rtt      time.Duration
}

// dial opens a connection with the three-way handshake.
func (c *capture) dial(at time.Duration, cli, srv *host, sport uint16, rtt time.Duration) *conn {
	k := &conn{c: c, cli: cli, srv: srv, cport: c.ephemeral(), sport: sport,
		cseq: c.rnd.Uint32(), sseq: c.rnd.Uint32(), at: at, rtt: rtt}
	opts := []layers.TCPOption{
		{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}},
		{OptionType: layers.TCPOptionKindSACKPermitted, OptionLength: 2},
		{OptionType: layers.TCPOptionKindNop},
		{OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{7}},
	}
	k.seg(true, layers.TCP{SYN: true, Options: opts}, nil)
	k.cseq++
	k.at += rtt
	k.seg(false, layers.TCP{SYN: true, ACK: true, Options: opts}, nil)
	k.sseq++
	k.at += c.jitter(200 * time.Microsecond)
	k.seg(true, layers.TCP{ACK: true}, nil)
	return k
}

// seg writes one segment in the given direction at the connection's clock and advances
// that side's sequence number by the payload.
func (k *conn) seg(fromCli bool, t layers.TCP, payload []byte) {
	src, dst, sp, dp, seq, ack := k.cli, k.srv, k.cport, k.sport, &k.cseq, k.sseq
	if !fromCli {
		src, dst, sp, dp, seq, ack = k.srv, k.cli, k.sport, k.cport, &k.sseq, k.cseq
	}
	t.SrcPort, t.DstPort, t.Seq, t.Window = layers.TCPPort(sp), layers.TCPPort(dp), *seq, 501
	if t.SYN {
		t.Window = 64240
	}
	if t.ACK {
		t.Ack = ack
	}
	*seq += uint32(len(payload))
	if len(payload) == 0 {
		k.c.send(k.at, src, dst, &t)
		return
	}
	k.c.send(k.at, src, dst, &t, gopacket.Payload(payload))
}

// request is the client sending p; the server's ACK comes with its answer.
func (k *conn) request(p []byte) {
	k.at += k.c.jitter(2 * time.Millisecond)
	k.seg(true, layers.TCP{PSH: true, ACK: true}, p)
}

// reply is the server sending p in full segments, spaced by gap, the client acking every
// second one, as a delayed-ACK receiver does.
func (k *conn) reply(p []byte, gap time.Duration) {
	k.at += k.rtt
	for i := 0; len(p) > 0; i++ {
		n := min(len(p), mss)
		k.seg(false, layers.TCP{PSH: n == len(p), ACK: true}, p[:n])
		p = p[n:]
		if i%2 == 1 || len(p) == 0 {
			k.at += k.c.jitter(100 * time.Microsecond)
			k.seg(true, layers.TCP{ACK: true}, nil)
		}
		k.at += k.c.jitter(gap)
	}
}

// close is the client's FIN and the server's FIN-ACK.
func (k *conn) close() {
	k.at += k.c.jitter(5 * time.Millisecond)
	k.seg(true, layers.TCP{FIN: true, ACK: true}, nil)
	k.cseq++
	k.at += k.rtt
	k.seg(false, layers.TCP{FIN: true, ACK: true}, nil)
	k.sseq++
	k.at += k.c.jitter(200 * time.Microsecond)
	k.seg(true, layers.TCP{ACK: true}, nil)
}

// existing is a connection opened before the capture started: no handshake on the wire.
func (c *capture) existing(at time.Duration, cli, srv *host, sport uint16, rtt time.Duration) *conn {
	return &conn{c: c, cli: cli, srv: srv, cport: c.ephemeral(), sport: sport,
		cseq: c.rnd.Uint32(), sseq: c.rnd.Uint32(), at: at, rtt: rtt}
}
