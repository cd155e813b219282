package connector

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func parsePropertiesFile(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	props, err := ParseProperties(f)
	require.NoError(t, err)
	return props
}

// TestParsePropertiesNasty pins what java.util.Properties makes of testdata/properties/
// nasty.properties (properties_java_test.go checks the same file against the JDK).
func TestParsePropertiesNasty(t *testing.T) {
	want := map[string]string{
		"plain":                       "value",
		"colon":                       "value",
		"space":                       "value with  spaces",
		"tab":                         "value",
		"formfeed":                    "value",
		"eq":                          "spaced value  ",
		"both":                        "= second separator is part of the value",
		"ws_then_eq":                  "v",
		"ws_then_eq_twice":            "= v",
		"leading.ws.key":              "v",
		"empty.value":                 "",
		"no.separator":                "",
		"key=with:escaped separators": "v",
		"escapes":                     "tab\tnl\ncr\rff\fbs\\q\"xy#",
		"unicode":                     "é→😀",
		"unicode.upper":               "É",
		"lone.surrogate":              "\uFFFDx",
		"latin1":                      "café",
		"utf8.bytes":                  "cafÃ©",
		"continued":                   "first second third",
		"continued.crlf":              "ab",
		"continued.cr":                "ab",
		"even.backslashes":            `a\`,
		"next.line":                   "after even",
		"continued.blank":             "a",
		"after.blank":                 "x",
		"continued.comment":           "a# not a comment: it continues the value",
		"#not.comment":                "x",
		" leading.escaped.space":      "x",
		"dup":                         "second",
		"key.joined":                  "v",
		"a":                           "b=c",
		"path":                        `C:\Program Files\x`,
		"crlf.line":                   "x",
		"cr.only":                     "y",
		"next.after.cr":               "z",
		"":                            "empty key",
		"Akey":                        "escaped key",
		"last.no.newline":             "end",
	}
	got := parsePropertiesFile(t, filepath.Join("testdata", "properties", "nasty.properties"))
	for k, v := range want {
		t.Run(k, func(t *testing.T) {
			assert.Equal(t, v, got[k])
		})
	}
	assert.Len(t, got, len(want))
}

func TestParseProperties(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want map[string]string
	}{
		{"empty", "", map[string]string{}},
		{"only comments", "# a\n! b\n   # c", map[string]string{}},
		{"comment at eof without newline", "k=v\n#c", map[string]string{"k": "v"}},
		{"lone backslash is the empty key", "\\", map[string]string{"": ""}},
		{"backslash newline at eof", "\\\n", map[string]string{"": ""}},
		{"backslash at eof dropped", "k=v\\", map[string]string{"k": "v"}},
		{"continuation then comment-looking line", "\\\n#k=v", map[string]string{}},
		{"continuation into eof", "k=a\\\n", map[string]string{"k": "a"}},
		{"blank lines", "\n\r\n\r\nk=v\n\n", map[string]string{"k": "v"}},
		{"only whitespace line", "   \t\f\nk=v", map[string]string{"k": "v"}},
		{"escaped backslash before newline", "k=a\\\\\nj=b", map[string]string{"k": `a\`, "j": "b"}},
		{"nul byte kept", "k=a\x00b", map[string]string{"k": "a\x00b"}},
		{"high latin1 byte", "k=\xff", map[string]string{"k": "ÿ"}},
		{"key with escaped space", `a\ b=c`, map[string]string{"a b": "c"}},
		{"value escapes only once", `k=\\u0041`, map[string]string{"k": `\u0041`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseProperties(strings.NewReader(tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParsePropertiesMalformedEscape(t *testing.T) {
	for _, in := range []string{`k=\u12`, `k=\u12G4`, `\uZZZZ=v`, "k=\\u"} {
		t.Run(in, func(t *testing.T) {
			_, err := ParseProperties(strings.NewReader(in))
			assert.ErrorIs(t, err, ErrMalformedUnicodeEscape)
		})
	}
}

// TestParsePropertiesStockConnect parses Kafka's own sample configs, which bridge accepts as is.
func TestParsePropertiesStockConnect(t *testing.T) {
	tests := []struct {
		file string
		want map[string]string
	}{
		{"connect-standalone.properties", map[string]string{
			"bootstrap.servers":              "localhost:9092",
			"key.converter":                  "org.apache.kafka.connect.json.JsonConverter",
			"value.converter":                "org.apache.kafka.connect.json.JsonConverter",
			"key.converter.schemas.enable":   "true",
			"value.converter.schemas.enable": "true",
			"offset.storage.file.filename":   "/tmp/connect.offsets",
			"offset.flush.interval.ms":       "10000",
		}},
		{"connect-file-source.properties", map[string]string{
			"name":            "local-file-source",
			"connector.class": "FileStreamSource",
			"tasks.max":       "1",
			"file":            "test.txt",
			"topic":           "connect-test",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("..", "testdata", "connect", tt.file)
			if _, err := os.Stat(path); err != nil {
				t.Skipf("%s not present", path)
			}
			got := parsePropertiesFile(t, path)
			// The stock worker file may gain settings (plugin.path is commented out); the ones
			// bridge reads must be there with these values.
			for k, v := range tt.want {
				assert.Equal(t, v, got[k], k)
			}
			if tt.file == "connect-file-source.properties" {
				assert.Equal(t, tt.want, got)
			}
		})
	}
}

// storeProperty escapes s for a .properties file, as Properties.store does.
func storeProperty(s string, isKey bool) string {
	var b strings.Builder
	for i, u := range utf16.Encode([]rune(s)) {
		switch {
		case u == ' ' && (isKey || i == 0):
			b.WriteString(`\ `)
		case u == '\t':
			b.WriteString(`\t`)
		case u == '\n':
			b.WriteString(`\n`)
		case u == '\r':
			b.WriteString(`\r`)
		case u == '\f':
			b.WriteString(`\f`)
		case strings.ContainsRune(`=:#!\`, rune(u)):
			b.WriteByte('\\')
			b.WriteByte(byte(u))
		case u < 0x20 || u > 0x7E:
			fmt.Fprintf(&b, `\u%04X`, u)
		default:
			b.WriteByte(byte(u))
		}
	}
	return b.String()
}

func FuzzProperties(f *testing.F) {
	f.Add([]byte("k=v\n# c\n a\\\n  b : c\\u00e9\r\nx\\"))
	f.Add([]byte("\\\n#x\n\\uD83D\\uDE00=\\u12"))
	f.Add([]byte("\\ a\\=b=\\ c\\t\xe9\\\r\n\t#d"))
	f.Fuzz(func(t *testing.T, data []byte) {
		props, err := ParseProperties(bytes.NewReader(data))
		if err != nil {
			assert.ErrorIs(t, err, ErrMalformedUnicodeEscape)
			return
		}
		// Whatever was read, written back as Properties.store writes it, reads the same.
		var stored strings.Builder
		for k, v := range props {
			stored.WriteString(storeProperty(k, true) + "=" + storeProperty(v, false) + "\n")
		}
		again, err := ParseProperties(strings.NewReader(stored.String()))
		require.NoError(t, err)
		assert.Equal(t, props, again, "stored as %q", stored.String())
	})
}
