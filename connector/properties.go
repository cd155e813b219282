package connector

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/bridge-project/bridge/internal/connectvalue"
)

// ParseProperties reads a Java .properties file the way Kafka Connect loads its worker and
// connector configs: Utils.loadProps hands an InputStream to java.util.Properties.load, so bytes are
// ISO-8859-1 (a UTF-8 "é" reads as two chars, "Ã©"), and only \uXXXX escapes reach beyond Latin-1.
// Comments (# !), the = : and whitespace separators, line continuations and escapes follow
// Properties.load exactly; a later key replaces an earlier one. A lone surrogate escape, which a
// Go string cannot hold, becomes U+FFFD.
func ParseProperties(r io.Reader) (map[string]string, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read properties: %w", err)
	}
	props := make(map[string]string)
	lr := propLineReader{data: data}
	for lr.next() {
		key, value := splitProperty(lr.line)
		k, err := unescapeProperty(key)
		if err != nil {
			return nil, fmt.Errorf("parse properties: key %q: %w", key, err)
		}
		v, err := unescapeProperty(value)
		if err != nil {
			return nil, fmt.Errorf("parse properties: key %q: %w", k, err)
		}
		props[k] = v
	}
	return props, nil
}

func isPropSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\f' }

// propLineReader cuts data into logical lines as Properties.LineReader does: natural lines joined
// by a trailing odd backslash, leading whitespace of each natural line dropped, blank and comment
// lines skipped. Its quirks are kept on purpose (a comment right after a continuation that left the
// logical line empty is still a comment), since Connect sees the file through them.
type propLineReader struct {
	data []byte
	off  int
	line []byte // the current logical line, escapes still in it; one char per byte (ISO-8859-1)
}

func (lr *propLineReader) next() bool {
	lr.line = lr.line[:0]
	skipSpace, continued, backslash := true, false, false
	for {
		if lr.off >= len(lr.data) {
			return lr.finish(backslash)
		}
		c := lr.data[lr.off]
		lr.off++
		if skipSpace {
			if isPropSpace(c) || (!continued && (c == '\r' || c == '\n')) {
				continue
			}
			skipSpace, continued = false, false
		}
		if len(lr.line) == 0 && (c == '#' || c == '!') {
			if !lr.skipComment() {
				return false
			}
			skipSpace = true
			continue
		}
		if c != '\n' && c != '\r' {
			lr.line = append(lr.line, c)
			backslash = c == '\\' && !backslash
			continue
		}
		if len(lr.line) == 0 {
			skipSpace = true
			continue
		}
		if lr.off >= len(lr.data) {
			return lr.finish(backslash)
		}
		if !backslash {
			return true
		}
		// A continuation: drop the backslash, then the "\n" of a "\r\n", then leading whitespace.
		lr.line = lr.line[:len(lr.line)-1]
		skipSpace, continued, backslash = true, true, false
		if c == '\r' && lr.data[lr.off] == '\n' {
			lr.off++
		}
	}
}

// finish ends the logical line at EOF: none when nothing was read, and a trailing odd backslash is
// dropped. What is left may be empty ("\\" alone is the property "" = ""), as in Java.
func (lr *propLineReader) finish(backslash bool) bool {
	if len(lr.line) == 0 {
		return false
	}
	if backslash {
		lr.line = lr.line[:len(lr.line)-1]
	}
	return true
}

// skipComment consumes the rest of a comment line; false at EOF, where Java returns no line.
func (lr *propLineReader) skipComment() bool {
	for lr.off < len(lr.data) {
		c := lr.data[lr.off]
		lr.off++
		if c == '\r' || c == '\n' {
			return true
		}
	}
	return false
}

// splitProperty splits a logical line into its raw key and value as Properties.load0 does: the key
// ends at the first unescaped '=', ':' or whitespace; whitespace and then at most one '=' or ':'
// (if whitespace ended the key) are skipped before the value.
func splitProperty(line []byte) (key, value []byte) {
	keyLen, valueStart, hasSep, backslash := 0, len(line), false, false
	for ; keyLen < len(line); keyLen++ {
		c := line[keyLen]
		if !backslash && (c == '=' || c == ':') {
			valueStart, hasSep = keyLen+1, true
			break
		}
		if !backslash && isPropSpace(c) {
			valueStart = keyLen + 1
			break
		}
		backslash = c == '\\' && !backslash
	}
	for ; valueStart < len(line); valueStart++ {
		c := line[valueStart]
		if isPropSpace(c) {
			continue
		}
		if hasSep || (c != '=' && c != ':') {
			break
		}
		hasSep = true
	}
	return line[:keyLen], line[valueStart:]
}

// unescapeProperty resolves escapes as Properties.loadConvert does: \t \n \r \f, \uXXXX, and a
// backslash before any other char stands for that char. Chars are ISO-8859-1 bytes; the result is
// built as UTF-16, as Java holds it, so that escaped surrogate pairs join.
func unescapeProperty(raw []byte) (string, error) {
	plain := true
	for _, c := range raw {
		if c == '\\' || c >= 0x80 {
			plain = false
			break
		}
	}
	if plain {
		return string(raw), nil
	}
	units := make([]uint16, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' || i+1 >= len(raw) {
			units = append(units, uint16(c))
			continue
		}
		i++
		switch c = raw[i]; c {
		case 't':
			c = '\t'
		case 'n':
			c = '\n'
		case 'r':
			c = '\r'
		case 'f':
			c = '\f'
		case 'u':
			r := connectvalue.Hex4(raw[i+1:])
			if r < 0 {
				return "", ErrMalformedUnicodeEscape
			}
			units = append(units, uint16(r))
			i += 4
			continue
		}
		units = append(units, uint16(c))
	}
	return string(utf16.Decode(units)), nil
}

// connectKeys are the Connect settings FromProperties reads, or knowingly has no use for.
var connectKeys = map[string]bool{
	"bootstrap.servers": true, "key.converter": true, "value.converter": true,
	"key.converter.schemas.enable": true, "value.converter.schemas.enable": true,
	"offset.storage.file.filename": true, "offset.flush.interval.ms": true,
	"name": true, "connector.class": true, "tasks.max": true, "file": true, "topic": true,
	"batch.size": true, "producer.compression.type": true, "producer.override.compression.type": true,
}

// FromProperties lays the settings of a Connect standalone worker and its FileStreamSource
// connector over base, read as Connect reads them: p holds both files' properties, the
// connector's replacing the worker's. Keys p lacks leave base as it is; security settings
// are internal/kafkasec's (kafkasec.FromProperties), and UnusedProperties names the rest.
func FromProperties(base Config, p map[string]string) (Config, error) {
	c := base
	if cls := p["connector.class"]; !isFileSource(cls) {
		return c, fmt.Errorf("connector.class=%q: %w", cls, ErrNotFileSource)
	}
	str := func(dst *string, key string) {
		if v, ok := p[key]; ok {
			*dst = v
		}
	}
	if v, ok := p["bootstrap.servers"]; ok {
		c.Brokers = splitList(v)
	}
	str(&c.Name, "name")
	str(&c.File, "file")
	str(&c.Topic, "topic")
	str(&c.ConnectOffsetsFile, "offset.storage.file.filename")
	// The connector's override wins over the worker's producer setting, as in Connect.
	for _, key := range []string{"producer.compression.type", "producer.override.compression.type"} {
		if v, ok := p[key]; ok {
			c.Compression = strings.ToLower(strings.TrimSpace(v))
		}
	}
	if err := numbersFromProperties(&c, p); err != nil {
		return c, err
	}
	f, err := converterFormat(p)
	if err != nil {
		return c, err
	}
	c.Format = f
	return c, nil
}

// requiredProperties are the settings a properties-configured source must be given. Connect
// refuses a connector without its topic; bridge also will not take the file to follow or the
// brokers from its defaults when a typo (fiel=, bootstrap.server=) hid them.
var requiredProperties = []string{"bootstrap.servers", "file", "topic"}

// MissingProperties returns ErrMissingProperty naming each of bootstrap.servers, file and
// topic that p lacks or leaves empty, or nil.
func MissingProperties(p map[string]string) error {
	var missing []string
	for _, key := range requiredProperties {
		if strings.TrimSpace(p[key]) == "" {
			missing = append(missing, key)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s (bridge does not fall back to its defaults for these)",
		ErrMissingProperty, strings.Join(missing, ", "))
}

// UnusedProperties lists, sorted, the keys of p that FromProperties does not read and
// used does not claim either.
func UnusedProperties(p map[string]string, used func(key string) bool) []string {
	var unused []string
	for k := range p {
		if !connectKeys[k] && !used(k) {
			unused = append(unused, k)
		}
	}
	slices.Sort(unused)
	return unused
}

func isFileSource(cls string) bool {
	switch cls {
	case "FileStreamSource", "FileStreamSourceConnector", "org.apache.kafka.connect.file.FileStreamSourceConnector":
		return true
	}
	return false
}

func numbersFromProperties(c *Config, p map[string]string) error {
	if v, ok := p["batch.size"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 {
			return fmt.Errorf("batch.size=%q: want a positive integer", v)
		}
		c.BatchLines = n
	}
	if v, ok := p["offset.flush.interval.ms"]; ok {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < 1 {
			return fmt.Errorf("offset.flush.interval.ms=%q: want a positive integer", v)
		}
		c.FlushInterval = time.Duration(n) * time.Millisecond
	}
	return nil
}

// converterFormat maps Connect's value converter to a record format. The key is always null,
// which every converter writes as null, so key.converter needs no mapping.
func converterFormat(p map[string]string) (Format, error) {
	conv := strings.TrimSpace(p["value.converter"])
	switch conv {
	case "", "org.apache.kafka.connect.json.JsonConverter":
		// JsonConverter's schemas.enable defaults to true; a stock worker sets it explicitly.
		if strings.EqualFold(strings.TrimSpace(p["value.converter.schemas.enable"]), "false") {
			return FormatJSON, nil
		}
		return FormatJSONSchema, nil
	case "org.apache.kafka.connect.storage.StringConverter":
		return FormatString, nil
	}
	return 0, fmt.Errorf("value.converter=%s: bridge writes JsonConverter or StringConverter values", conv)
}

func splitList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
