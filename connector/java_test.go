package connector

import (
	"path/filepath"
	"testing"

	"github.com/bridge-project/bridge/internal/harness"
)

// The *_java_test.go files compare bridge with the JDK and with Kafka Connect's own classes. They
// skip when java is not installed (or with -short); the Connect ones also when Kafka's jars are not
// at hand (scripts/kafka.sh fetch puts them in .cache/kafka/libs).

// compileJava compiles testdata/java/<name>.java against classpath and returns the classpath to
// run it with.
func compileJava(t *testing.T, classpath, name string) string {
	t.Helper()
	return harness.CompileJava(t, classpath, filepath.Join("testdata", "java", name+".java"))
}

// runJava runs class name on classpath and returns its stdout.
var runJava = harness.RunJava

// kafkaClasspath returns a classpath with Kafka Connect's api, json, file and clients jars and
// their dependencies, or skips the test.
var kafkaClasspath = harness.KafkaClasspath
