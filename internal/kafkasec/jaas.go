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
// ("<LoginModule> <flag> (<key>=<value>)*;", see jaasLexer) and wants exactly one entry, as
// a Kafka client does. Errors name keys, never values.
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
	if !first.isString() {
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
	case flag.isString() && (f == "required" || f == "requisite" || f == "sufficient" || f == "optional"):
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
		eq, err := lx.next()
		if err != nil {
			return e, err
		}
		val, err := lx.next()
		if err != nil {
			return e, err
		}
		if eq.kind != tokEquals || !val.isString() {
			return e, fmt.Errorf("value not specified for %s in JAAS config (want key=value; a bare number is no value)", optionName(key))
		}
		if key.isString() {
			// Kafka files an option named by a number or a lone character under a null
			// key, which no login module reads.
			e.options[key.text] = val.text
		}
	}
}

type tokKind int

const (
	tokEOF    tokKind = iota
	tokWord           // unquoted word
	tokQuoted         // "..." or '...'
	tokNumber         // StreamTokenizer's TT_NUMBER: it has no string value
	tokSemi           // ;
	tokEquals         // =
	tokOther          // any other single ordinary character
)

type jaasToken struct {
	kind tokKind
	text string
}

// isString reports whether the token has a string value (StreamTokenizer's sval): a word
// or a quoted string. Kafka takes either wherever it wants a name or a value.
func (t jaasToken) isString() bool { return t.kind == tokWord || t.kind == tokQuoted }

// jaasLexer follows java.io.StreamTokenizer's default syntax, which Kafka 4's JaasConfig
// uses with // and /* */ comments and - _ $ added to the word characters: characters 0-32
// are space; a word starts with a letter, - _ $ or a character from 160 up and goes on
// with those, digits and dots; a token starting with a digit, a dot or a minus and a digit
// is a number (no string value: "password=1234" is an error in Kafka too); " and ' quote,
// with Java escapes, and a quote left open ends at the line's end; / starts a comment to
// the end of the line unless it is /* ... */; everything else stands alone.
type jaasLexer struct {
	src []rune
	pos int
}

func (lx *jaasLexer) peekAt(i int) (rune, bool) {
	if i >= len(lx.src) {
		return 0, false
	}
	return lx.src[i], true
}

func (lx *jaasLexer) next() (jaasToken, error) {
	for {
		c, ok := lx.peekAt(lx.pos)
		if !ok {
			return jaasToken{kind: tokEOF}, nil
		}
		switch {
		case c <= ' ':
			lx.pos++
		case isNumberStart(c):
			if tok, ok := lx.number(); ok {
				return tok, nil
			}
			lx.pos++ // a minus not followed by a number stands alone
			return jaasToken{kind: tokOther, text: "-"}, nil
		case isWordStart(c):
			return jaasToken{kind: tokWord, text: lx.word()}, nil
		case c == '"' || c == '\'':
			lx.pos++
			return jaasToken{kind: tokQuoted, text: lx.quoted(c)}, nil
		case c == '/':
			lx.comment()
		default:
			lx.pos++
			switch c {
			case ';':
				return jaasToken{kind: tokSemi, text: ";"}, nil
			case '=':
				return jaasToken{kind: tokEquals, text: "="}, nil
			}
			return jaasToken{kind: tokOther, text: string(c)}, nil
		}
	}
}

func isDigit(c rune) bool       { return c >= '0' && c <= '9' }
func isNumberStart(c rune) bool { return isDigit(c) || c == '.' || c == '-' }

func isWordStart(c rune) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '$' || c >= 160
}

func (lx *jaasLexer) word() string {
	start := lx.pos
	for c, ok := lx.peekAt(lx.pos); ok && (isWordStart(c) || isNumberStart(c)); c, ok = lx.peekAt(lx.pos) {
		lx.pos++
	}
	return string(lx.src[start:lx.pos])
}

// number reads digits with at most one dot, after an optional minus; a minus followed by
// neither is not a number.
func (lx *jaasLexer) number() (jaasToken, bool) {
	i := lx.pos
	if lx.src[i] == '-' {
		if c, ok := lx.peekAt(i + 1); !ok || (c != '.' && !isDigit(c)) {
			return jaasToken{}, false
		}
		i++
	}
	dot := false
	for c, ok := lx.peekAt(i); ok && (isDigit(c) || (c == '.' && !dot)); c, ok = lx.peekAt(i) {
		dot = dot || c == '.'
		i++
	}
	tok := jaasToken{kind: tokNumber, text: string(lx.src[lx.pos:i])}
	lx.pos = i
	return tok, true
}

// comment skips a comment that starts at the current '/': /* to */ (or to the end), else
// the next character, whatever it is, and the rest of its line.
func (lx *jaasLexer) comment() {
	lx.pos += 2
	if c, _ := lx.peekAt(lx.pos - 1); c == '*' {
		for i := lx.pos; i+1 < len(lx.src); i++ {
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

// optionName names an option in an error: only the names login modules read are shown, as
// in a garbled entry the "name" may be a password.
func optionName(key jaasToken) string {
	switch key.text {
	case "username", "password", "tokenauth":
		if key.kind == tokWord {
			return "key '" + key.text + "'"
		}
	}
	return "an option"
}
