// Package harness runs bridge and its peers as processes for tests, drills and the benchmark
// driver: it builds the binary, starts and stops processes, samples their memory from /proc,
// waits for conditions, finds Kafka's Java classes and plays logrotate under a growing log.
// It is one harness, so that every figure and every exit code is measured the same way.
package harness
