// Package bridge holds the files the bridge binary carries with it. The code lives in the
// packages below: connector (file -> Kafka), parser (tshark line -> packet), stream
// (Kafka -> micro-batches), sink (batches -> output), devbroker (embedded Kafka).
package bridge

import _ "embed"

// DemoLog is a real tshark capture of loopback traffic the project generated itself
// (scripts/capture-demo.sh), in tshark's default text layout; `bridge demo` replays it.
//
//go:embed testdata/demo/en0.log
var DemoLog []byte
