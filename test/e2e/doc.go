// Package e2e holds the end-to-end tests of the bridge binary: built once, run as a process
// against the cluster kafkatest gives (real Kafka with BRIDGE_TEST_BROKERS), stopped by
// SIGTERM, killed with SIGKILL, run as another user. The CLI's usage and exit-code tests run
// in-process in cmd/bridge; the fault drills on their own clusters are in test/drills.
package e2e
