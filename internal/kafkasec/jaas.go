package kafkasec

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// The login modules whose options bridge reads: both only hand the user name and password
// to the SASL client, so Kafka accepts either with any of PLAIN and SCRAM-SHA-*.
const (
	PlainLoginModule = "org.apache.kafka.common.security.plain.PlainLoginModule"
	ScramLoginModule = "org.apache.kafka.common.security.scram.ScramLoginModule"
)

// jaasEntry is one login module entry of sasl.jaas.config. Its options hold the password:
// it never leaves this package.
type jaasEntry struct {
	module  string
	flag    string
	options map[string]string
}

// javaClass matches a class name: only such a module name is echoed in errors, so a
// misplaced password is never shown.
var javaClass = regexp.MustCompile(`^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$`)

// parseJAAS reads a sasl.jaas.config value the way Kafka's JaasConfig does
// ("<LoginModule> <flag> (<key>=<value>)*;"), with java.io.StreamTokenizer's lexical rules,
// and wants exactly one entry, as a Kafka client does. Errors name keys, never values.
func parseJAAS(s string) (jaasEntry, error) {
	lx := &jaasLexer{src: []rune(s)}
	var entries []jaasEntry
	for {
		tok, err := lx.next()
		if err != nil {
			return jaasEntry{}, err
		}
		if tok.kind == tokEOF {
			break
		}
		e, err := parseJAASEntry(lx, tok)
		if err != nil {
			return jaasEntry{}, err
		}
		entries = append(entries, e)
	}
	switch len(entries) {
	case 0:
		return jaasEntry{}, errors.New("login module not specified in JAAS config")
	case 1:
		return entries[0], nil
	}
	return jaasEntry{}, fmt.Errorf("JAAS config has %d login modules, want 1", len(entries))
}

func parseJAASEntry(lx *jaasLexer, first jaasToken) (jaasEntry, error) {
	if first.kind != tokWord {
		return jaasEntry{}, errors.New("JAAS config does not start with a login module name")
	}
	e := jaasEntry{module: first.text, options: map[string]string{}}
	flag, err := lx.next()
	if err != nil {
		return e, err
	}
	if flag.kind == tokEOF {
		return e, errors.New("login module control flag not specified in JAAS config")
	}
	switch f := strings.ToLower(flag.text); {
	case flag.kind == tokWord && (f == "required" || f == "requisite" || f == "sufficient" || f == "optional"):
		e.flag = f
	default:
		return e, errors.New("invalid login module control flag in JAAS config: want required, requisite, sufficient or optional")
	}
	for {
		key, err := lx.next()
		if err != nil {
			return e, err
		}
		if key.kind == tokEOF {
			return e, errors.New("JAAS config entry not terminated by semi-colon")
		}
		if key.kind == tokSemi {
			return e, nil
		}
		if key.kind != tokWord && key.kind != tokQuoted {
			return e, errors.New("JAAS config: option name expected")
		}
		eq, err := lx.next()
		if err != nil {
			return e, err
		}
		val, err := lx.next()
		if err != nil {
			return e, err
		}
		if eq.kind != tokEquals || (val.kind != tokWord && val.kind != tokQuoted) {
			return e, fmt.Errorf("value not specified for key %q in JAAS config", key.text)
		}
		e.options[key.text] = val.text
	}
}

type tokKind int

const (
	tokEOF    tokKind = iota
	tokWord           // unquoted word
	tokQuoted         // "..." or '...'
	tokSemi           // ;
	tokEquals         // =
	tokOther          // any other single ordinary character
)

type jaasToken struct {
	kind tokKind
	text string
}

// jaasLexer follows StreamTokenizer as Kafka sets it up: characters 0-32 are space, 33-128
// and 160 up make words, ; and = stand alone, " and ' quote (with Java escapes, and a
// quote left open ends at the line's end), and /, // and /* */ start comments. A lone /
// comments out the rest of its line, as StreamTokenizer's comment character does.
type jaasLexer struct {
	src []rune
	pos int
}

func (lx *jaasLexer) peek() (rune, bool) {
	if lx.pos >= len(lx.src) {
		return 0, false
	}
	return lx.src[lx.pos], true
}

func (lx *jaasLexer) next() (jaasToken, error) {
	for {
		c, ok := lx.peek()
		if !ok {
			return jaasToken{kind: tokEOF}, nil
		}
		switch {
		case c <= ' ':
			lx.pos++
		case c == '/':
			lx.comment()
		case c == '"' || c == '\'':
			lx.pos++
			return jaasToken{kind: tokQuoted, text: lx.quoted(c)}, nil
		case c == ';':
			lx.pos++
			return jaasToken{kind: tokSemi, text: ";"}, nil
		case c == '=':
			lx.pos++
			return jaasToken{kind: tokEquals, text: "="}, nil
		case isWordRune(c):
			return jaasToken{kind: tokWord, text: lx.word()}, nil
		default:
			lx.pos++
			return jaasToken{kind: tokOther, text: string(c)}, nil
		}
	}
}

func isWordRune(c rune) bool {
	switch c {
	case ';', '=', '"', '\'', '/':
		return false
	}
	return (c > ' ' && c <= 128) || c >= 160
}

func (lx *jaasLexer) word() string {
	start := lx.pos
	for lx.pos < len(lx.src) && isWordRune(lx.src[lx.pos]) {
		lx.pos++
	}
	return string(lx.src[start:lx.pos])
}

// comment skips a comment that starts at the current '/': /* to */ (or the end), else
// the rest of the line.
func (lx *jaasLexer) comment() {
	lx.pos++
	if c, _ := lx.peek(); c == '*' {
		for i := lx.pos + 1; i+1 < len(lx.src); i++ {
			if lx.src[i] == '*' && lx.src[i+1] == '/' {
				lx.pos = i + 2
				return
			}
		}
		lx.pos = len(lx.src) // an open /* comment ends the input, as in StreamTokenizer
		return
	}
	for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' && lx.src[lx.pos] != '\r' {
		lx.pos++
	}
}

// quoted reads up to the closing quote q, a line end or the end, decoding Java escapes.
func (lx *jaasLexer) quoted(q rune) string {
	var b strings.Builder
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		if c == q {
			lx.pos++
			break
		}
		if c == '\n' || c == '\r' {
			break
		}
		lx.pos++
		if c == '\\' && lx.pos < len(lx.src) {
			c = lx.escape()
		}
		b.WriteRune(c)
	}
	return b.String()
}

// escape decodes what follows a backslash: \a \b \f \n \r \t \v, octal up to \377, or the
// character itself.
func (lx *jaasLexer) escape() rune {
	c := lx.src[lx.pos]
	lx.pos++
	switch c {
	case 'a':
		return 7
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'v':
		return '\v'
	}
	if c < '0' || c > '7' {
		return c
	}
	first, v := c, c-'0'
	for digits := 1; digits < 3 && lx.pos < len(lx.src); digits++ {
		d := lx.src[lx.pos]
		if d < '0' || d > '7' || (digits == 2 && first > '3') {
			break
		}
		v = v<<3 + d - '0'
		lx.pos++
	}
	return v
}
