// Command netgen writes the demo's bundled capture: a synthetic pcap of a small office
// network (workstations, a NAS, a printer, a router) talking to servers in the
// documentation ranges. Frames are built with gopacket's layers and written with pcapgo,
// never sent anywhere; a fixed seed and start time make every run byte-for-byte the same.
// `make demo-capture` runs it and renders the pcap with tshark into the demo's log.
//
//	go run ./demo/netgen -o testdata/demo/office.pcap
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	out := flag.String("o", "testdata/demo/office.pcap", "pcap file to write")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "netgen:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	c := newCapture()
	office(c)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := c.write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
