// Package bridge holds the files the bridge binary carries with it. The code lives in the
// packages below: connector (file -> Kafka), parser (tshark line -> packet), stream
// (Kafka -> micro-batches), sink (batches -> output), devbroker (embedded Kafka).
package bridge

import _ "embed"

// DemoLog is a minute of a small office network (testdata/demo/office.pcap, written by
// demo/netgen) rendered by real tshark in its default text layout, as the blog's
// `tshark -i en0 >> /tmp/en0.log` writes it; `bridge demo` replays it. `make demo-capture`
// rebuilds both.
//
//go:embed testdata/demo/office.log
var DemoLog []byte
