package harness

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// KafkaClasspath returns a classpath with Kafka's clients and Connect's api, json and file jars
// and their dependencies, or skips the test (also without java or javac, and in -short mode).
// The jars are those scripts/kafka.sh fetch puts in .cache/kafka/libs (KAFKA_CACHE_DIR
// overrides it), else a local Maven repository's.
func KafkaClasspath(t testing.TB) string {
	t.Helper()
	needJava(t)
	root := os.Getenv("KAFKA_CACHE_DIR")
	if root == "" {
		root = filepath.Join(Root(), ".cache", "kafka")
	}
	if jars, _ := filepath.Glob(filepath.Join(root, "libs", "connect-file-*.jar")); len(jars) > 0 {
		return filepath.Join(root, "libs", "*")
	}
	home, _ := os.UserHomeDir()
	m2 := filepath.Join(home, ".m2", "repository")
	var cp []string
	for _, pattern := range []string{
		"org/apache/kafka/connect-api/4.*/connect-api-4.*.jar",
		"org/apache/kafka/connect-json/4.*/connect-json-4.*.jar",
		"org/apache/kafka/connect-file/4.*/connect-file-4.*.jar",
		"org/apache/kafka/kafka-clients/4.*/kafka-clients-4.*.jar",
		"com/fasterxml/jackson/core/jackson-core/2.*/jackson-core-2.*.jar",
		"com/fasterxml/jackson/core/jackson-databind/2.*/jackson-databind-2.*.jar",
		"com/fasterxml/jackson/core/jackson-annotations/2.*/jackson-annotations-2.*.jar",
		"com/fasterxml/jackson/module/jackson-module-blackbird/2.*/jackson-module-blackbird-2.*.jar",
		"org/slf4j/slf4j-api/1.*/slf4j-api-1.*.jar",
	} {
		jars, _ := filepath.Glob(filepath.Join(m2, pattern))
		if len(jars) == 0 {
			t.Skipf("Kafka's jars not found (run scripts/kafka.sh fetch): no %s", pattern)
		}
		cp = append(cp, jars[len(jars)-1]) // the highest version, by name
	}
	return strings.Join(cp, string(os.PathListSeparator))
}

// CompileJava compiles the Java source file src against classpath ("": the JDK alone) and
// returns the classpath to run its classes with. It skips the test without java or javac,
// and in -short mode.
func CompileJava(t testing.TB, classpath, src string) string {
	t.Helper()
	needJava(t)
	dir := t.TempDir()
	args := []string{"-d", dir}
	if classpath != "" {
		args = append(args, "-cp", classpath)
	}
	if out, err := exec.Command("javac", append(args, src)...).CombinedOutput(); err != nil {
		t.Fatalf("javac %s: %v: %s", src, err, out)
	}
	if classpath == "" {
		return dir
	}
	return classpath + string(os.PathListSeparator) + dir
}

// RunJava runs class on classpath with stdin and args, and returns its stdout.
func RunJava(t testing.TB, classpath, class string, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("java", append([]string{"-cp", classpath, class}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("java %s: %v: %s", class, err, stderr.String())
	}
	return out
}

// needJava skips the test in -short mode and without java or javac.
func needJava(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("java comparison skipped in -short mode")
	}
	for _, tool := range []string{"java", "javac"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
}
