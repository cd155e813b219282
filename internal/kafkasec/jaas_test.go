package kafkasec

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bridge-project/bridge/internal/harness"
)

// jaasCases are sasl.jaas.config values with what Kafka makes of them (options nil: an
// error).
var jaasCases = []struct {
	name, in     string
	module, flag string
	options      map[string]string
}{
	{"plain", `org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret";`,
		PlainLoginModule, "required", map[string]string{"username": "alice", "password": "alice-secret"}},
	{"scram, unquoted, flag in capitals", `org.apache.kafka.common.security.scram.ScramLoginModule REQUIRED username=bob password=b0b;`,
		ScramLoginModule, "required", map[string]string{"username": "bob", "password": "b0b"}},
	{"single quotes and escapes", `m.X optional username='a\'b' password="x\\y\"z\n\101\7";`,
		"m.X", "optional", map[string]string{"username": "a'b", "password": "x\\y\"z\nA\a"}},
	{"spaces, newlines and comments", "m.X /* c */ required // rest\n  username = \"u\" /**/ password=\"p w\"\n;",
		"m.X", "required", map[string]string{"username": "u", "password": "p w"}},
	{"a lone slash comments out the line", "m.X required username=u/ password=lost\n password=p;",
		"m.X", "required", map[string]string{"username": "u", "password": "p"}},
	{"quote left open ends at the line end", "m.X required username=\"u\npassword=p;",
		"m.X", "required", map[string]string{"username": "u", "password": "p"}},
	{"octal escape above 377 stops at two digits", `m.X required password="\477";`,
		"m.X", "required", map[string]string{"password": "'7"}},
	{"non-ASCII words", "m.X required username=zoë password=пароль;",
		"m.X", "required", map[string]string{"username": "zoë", "password": "пароль"}},
	{"a number is no value", `m.X required username=u password=1234;`, "", "", nil},
	{"a minus starts no word", `m.X required username=u password=-pw;`, "", "", nil},
	{"digits, dots and minus go on a word", `m.X required username=u password=p4.s-s_$w;`,
		"m.X", "required", map[string]string{"username": "u", "password": "p4.s-s_$w"}},
	{"a number as a key is ignored", `m.X required 12="a" username=u;`,
		"m.X", "required", map[string]string{"username": "u"}},
	{"a slash then a line end swallows the next line", "m.X required username=u /\npassword=lost\n;",
		"m.X", "required", map[string]string{"username": "u"}},
	{"empty value", `m.X required password="";`, "m.X", "required", map[string]string{"password": ""}},
	{"no options", `m.X sufficient;`, "m.X", "sufficient", map[string]string{}},
	{"no semicolon", `m.X required username="u" password="p"`, "", "", nil},
	{"no flag", `m.X username="u" password="p";`, "", "", nil},
	{"no value", `m.X required username= ;`, "", "", nil},
	{"no equals", `m.X required username "u";`, "", "", nil},
	{"two modules", `m.X required; m.Y required;`, "", "", nil},
	{"empty", ` /* nothing */ `, "", "", nil},
	{"open comment", `m.X required /* username="u";`, "", "", nil},
	{"starts with a semicolon", `; m.X required;`, "", "", nil},
}

func TestParseJAAS(t *testing.T) {
	for _, tc := range jaasCases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := parseJAAS(tc.in)
			if tc.options == nil {
				require.Error(t, err)
				for _, v := range []string{`"u"`, `"p"`} {
					assert.NotContains(t, err.Error(), v, "errors name keys, never values")
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.module, e.module)
			assert.Equal(t, tc.flag, e.flag)
			assert.Equal(t, tc.options, e.options)
		})
	}
}

// parseJAAS and Kafka's own client parsing agree on the cases above and on random
// strings made of the tokenizer's tricky characters.
func TestParseJAASAgainstKafka(t *testing.T) {
	cp := kafkaClasspath(t)
	inputs := make([]string, 0, len(jaasCases)+3000)
	for _, tc := range jaasCases {
		inputs = append(inputs, tc.in)
	}
	rng := rand.New(rand.NewPCG(6, 3))
	for range 3000 {
		inputs = append(inputs, randomJAAS(rng))
	}
	var stdin bytes.Buffer
	for _, in := range inputs {
		stdin.WriteString(hex.EncodeToString([]byte(in)) + "\n")
	}
	out := runJava(t, cp, "JaasParse", stdin.Bytes())
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for i := 0; sc.Scan(); i++ {
		require.Less(t, i, len(inputs))
		assert.Equal(t, sc.Text(), goJAAS(inputs[i]), "input %q", inputs[i])
	}
	require.NoError(t, sc.Err())
}

// goJAAS renders parseJAAS's result as JaasParse.java renders Kafka's.
func goJAAS(in string) string {
	e, err := parseJAAS(in)
	if err != nil {
		return "ERR"
	}
	h := func(s string) string {
		if s == "" {
			return "-"
		}
		return hex.EncodeToString([]byte(s))
	}
	parts := []string{"OK", h(e.module), e.flag}
	keys := make([]string, 0, len(e.options))
	for k := range e.options {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		parts = append(parts, h(k)+"="+h(e.options[k]))
	}
	return strings.Join(parts, " ")
}

// randomJAAS joins pieces that exercise every rule of the tokenizer, usually in the shape
// of a valid entry so that the option parsing is reached.
func randomJAAS(rng *rand.Rand) string {
	pieces := []string{"m.Login", " ", "  ", "\n", "\r\n", "\t", "required", "Optional", "bogus", "=", ";",
		`"`, `'`, `\`, `\"`, `\n`, `\101`, `\477`, `\7`, "/", "//", "/*", "*/", "*", "username", "password",
		"u", "p w", "é", "\u0085", "\u0090", "€", "😀", "\x00", "\x7f", "\u0080", "\u00a0", "0", "12", "-", ".",
		"_", "$", "#", "@", ":", "+", "1.2.3", "-5", "-.", "x9"}
	var b strings.Builder
	if rng.IntN(4) > 0 {
		b.WriteString("m.Login required ")
		for range rng.IntN(3) {
			b.WriteString("k" + pieces[rng.IntN(len(pieces))] + "=" + `"` + pieces[rng.IntN(len(pieces))] + `" `)
		}
	}
	for range rng.IntN(12) {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	if rng.IntN(3) > 0 {
		b.WriteString(";")
	}
	return b.String()
}

// kafkaClasspath compiles testdata/java/JaasParse.java against Kafka's client jars
// (scripts/kafka.sh fetch puts them in .cache/kafka/libs) and returns the classpath to run
// it with, or skips the test.
func kafkaClasspath(t *testing.T) string {
	t.Helper()
	return harness.CompileJava(t, harness.KafkaClasspath(t), filepath.Join("testdata", "java", "JaasParse.java"))
}

var runJava = harness.RunJava

// A user name and password of any characters survive quoting in sasl.jaas.config.
func FuzzParseJAAS(f *testing.F) {
	f.Add("alice", "s3cret")
	f.Add(`a"b\c`, "p\nw'\x00")
	f.Fuzz(func(t *testing.T, user, pass string) {
		q := func(s string) string {
			var b strings.Builder
			for _, r := range s {
				switch r {
				case '\\', '"':
					b.WriteString(`\` + string(r))
				case '\n':
					b.WriteString(`\n`)
				case '\r':
					b.WriteString(`\r`)
				default:
					b.WriteRune(r)
				}
			}
			return `"` + b.String() + `"`
		}
		in := PlainLoginModule + " required username=" + q(user) + " password=" + q(pass) + ";"
		e, err := parseJAAS(in)
		require.NoError(t, err)
		// Each byte of invalid UTF-8 reads as U+FFFD.
		assert.Equal(t, string([]rune(user)), e.options["username"])
		assert.Equal(t, string([]rune(pass)), e.options["password"])
	})
}
