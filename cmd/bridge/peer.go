package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// peerTimeout bounds the plaintext check of each seed broker: dialling it and waiting for
// its answer to one ApiVersions request. A Kafka broker answers in milliseconds; the full
// probe (kafkasec.Probe) waits far longer before it says anything.
const peerTimeout = 3 * time.Second

// errNotKafka: a seed broker answered a Kafka request with something that is not Kafka.
var errNotKafka = errors.New("does not speak Kafka")

// peerAnswer is what one seed broker did with a plaintext ApiVersions request.
type peerAnswer struct {
	broker string
	err    error // nil: a Kafka answer; errNotKafka wrapped; or a dial or read error
	silent bool  // the connection was accepted but nothing came back in time
	tls    bool  // it answered in TLS: maybe Kafka, over TLS
}

// The TLS record types a TLS server answers a plaintext request with.
const (
	tlsAlert     = 0x15
	tlsHandshake = 0x16
)

// checkPeers asks each seed broker, in parallel, for its API versions over plaintext, so
// that a --brokers pointing at a port that is not Kafka (an HTTP server, ssh, a typo'd
// port) is said within seconds. It logs a warning for each broker that does not answer as
// Kafka, and returns an error when every broker that answered at all answered in
// something that is not Kafka: retrying that can never work.
func checkPeers(ctx context.Context, log *slog.Logger, brokers []string) error {
	answers := make([]peerAnswer, len(brokers))
	var wg sync.WaitGroup
	for i, b := range brokers {
		wg.Go(func() { answers[i] = askPeer(ctx, b) })
	}
	wg.Wait()
	var notKafka []error
	kafka := false
	for _, a := range answers {
		switch {
		case a.tls:
			kafka = true // maybe: let kafkasec.Probe tell
		case a.err == nil:
			kafka = true
		case errors.Is(a.err, errNotKafka):
			notKafka = append(notKafka, a.err)
		case a.silent:
			log.Warn("a seed broker accepted the connection but gave no Kafka answer: is that port a Kafka listener?",
				"broker", a.broker, "waited", peerTimeout)
		}
	}
	if kafka || len(notKafka) == 0 || ctx.Err() != nil {
		for _, err := range notKafka {
			log.Warn("a seed broker is not Kafka; check --brokers", "err", err)
		}
		return nil
	}
	return fmt.Errorf("no seed broker speaks Kafka (check --brokers): %w", errors.Join(notKafka...))
}

// askPeer sends one ApiVersions v0 request, the first request every Kafka client sends
// and every broker version answers, and checks that the answer is framed as Kafka's.
func askPeer(ctx context.Context, broker string) peerAnswer {
	ctx, cancel := context.WithTimeout(ctx, peerTimeout)
	defer cancel()
	addr := broker
	if _, _, err := net.SplitHostPort(broker); err != nil {
		addr = net.JoinHostPort(broker, "9092") // a bare host, as Kafka clients take it
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return peerAnswer{broker: broker, err: err}
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()

	const correlationID = 0x62726467 // "brdg"
	req := kmsg.NewPtrApiVersionsRequest()
	req.Version = 0
	frame := kmsg.NewRequestFormatter(kmsg.FormatterClientID("bridge-check")).AppendRequest(nil, req, correlationID)
	if _, err := conn.Write(frame); err != nil {
		return peerAnswer{broker: broker, err: err}
	}
	head := make([]byte, 8) // response size, correlation ID
	n, err := io.ReadFull(conn, head)
	switch {
	case n == 0 && ctx.Err() != nil:
		return peerAnswer{broker: broker, err: ctx.Err(), silent: true}
	case err != nil && n == 0:
		return peerAnswer{broker: broker, err: err} // closed without a word: may be starting
	}
	if n >= 2 && (head[0] == tlsAlert || head[0] == tlsHandshake) && head[1] == 3 {
		// A TLS record: a Kafka listener, probably, that wants --tls. kafkasec.Probe,
		// which runs next, says so with the flags to use.
		return peerAnswer{broker: broker, tls: true}
	}
	size := int32(binary.BigEndian.Uint32(head[:4]))
	if n < len(head) || size < 6 || size > 1<<20 || binary.BigEndian.Uint32(head[4:]) != correlationID {
		return peerAnswer{broker: broker, err: fmt.Errorf("%s %w: it answered a Kafka request with %s",
			broker, errNotKafka, quoteStart(head[:n], conn))}
	}
	return peerAnswer{broker: broker}
}

// quoteStart quotes the first bytes of what the peer sent (head, then whatever else
// arrives at once), enough to recognise "HTTP/1.1 400" or an ssh banner.
func quoteStart(head []byte, conn net.Conn) string {
	buf := append([]byte(nil), head...)
	more := make([]byte, 56)
	_ = conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if m, _ := conn.Read(more); m > 0 {
		buf = append(buf, more[:m]...)
	}
	return strconv.Quote(string(buf))
}
