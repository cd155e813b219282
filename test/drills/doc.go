// Package drills holds the fault drills of RELIABILITY.md: Go tests behind the drills build
// tag that start their own real Kafka cluster (scripts/kafka.sh on KAFKA_PORT_BASE 29092, its own
// state directory), drive the built bridge binary through broker outages and kill -9, and
// print one row per scenario: runs, lines written, lost, duplicated, peak RSS. Run them with
// `make drills`; they never touch the shared broker on 9092.
package drills
