package talkers

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Prefix is the network length IP addresses are rolled up to: V4 bits for IPv4, V6 bits
// for IPv6. NoPrefix keeps addresses as they are (and Config takes its zero Prefix as
// NoPrefix).
type Prefix struct{ V4, V6 int }

// NoPrefix keeps every address whole.
var NoPrefix = Prefix{V4: 32, V6: 128}

// ParsePrefix reads --prefix: "24" (IPv4 only, IPv6 kept whole) or "24,64". An empty
// string is NoPrefix.
func ParsePrefix(s string) (Prefix, error) {
	if s == "" {
		return NoPrefix, nil
	}
	v4s, v6s, two := strings.Cut(s, ",")
	p := NoPrefix
	var err error
	if p.V4, err = strconv.Atoi(strings.TrimSpace(v4s)); err != nil {
		return Prefix{}, fmt.Errorf("prefix %q: %w", s, ErrPrefix)
	}
	if two {
		if p.V6, err = strconv.Atoi(strings.TrimSpace(v6s)); err != nil {
			return Prefix{}, fmt.Errorf("prefix %q: %w", s, ErrPrefix)
		}
	}
	if err := p.Validate(); err != nil {
		return Prefix{}, fmt.Errorf("prefix %q: %w", s, err)
	}
	return p, nil
}

// Validate reports whether both lengths are in range.
func (p Prefix) Validate() error {
	if p.V4 < 0 || p.V4 > 32 || p.V6 < 0 || p.V6 > 128 {
		return ErrPrefix
	}
	return nil
}

// String is the --prefix form, "24,64".
func (p Prefix) String() string { return strconv.Itoa(p.V4) + "," + strconv.Itoa(p.V6) }

// roll returns s rolled up to its network ("10.1.2.0/24"), or s itself when it is not an
// IP address (MACs, vendor names, 802.11 "… (TA)" forms, empty) or the prefix is whole.
func (p Prefix) roll(s string) name {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return name{s: s}
	}
	bits := p.V4
	if a.Is6() {
		bits = p.V6
	}
	if bits == a.BitLen() {
		return name{s: s, ip: a}
	}
	n, err := a.WithZone("").Prefix(bits)
	if err != nil {
		return name{s: s, ip: a}
	}
	return name{s: n.String(), ip: n.Addr()}
}

// DefaultNames is how many distinct addresses a Roller remembers.
const DefaultNames = 1 << 16

// Roller rolls addresses up with a Prefix and interns the results, so a repeated address
// costs one map lookup and no allocation, and every name a summary keeps is owned (never
// a view of the caller's buffer). It remembers at most DefaultNames addresses and forgets
// them all when full, so a flood of distinct addresses cannot grow it without bound.
type Roller struct {
	prefix Prefix
	names  map[string]name
}

// NewRoller returns a Roller for p.
func NewRoller(p Prefix) *Roller {
	return &Roller{prefix: p, names: make(map[string]name)}
}

// Roll returns the rolled-up form of the address s.
func (r *Roller) Roll(s string) string { return r.name(s).s }

// RollBytes is Roll for an address held in a byte slice (parser.ParseInto's fields); a
// seen address allocates nothing.
func (r *Roller) RollBytes(b []byte) string { return r.nameBytes(b).s }

func (r *Roller) name(s string) name {
	if n, ok := r.names[s]; ok {
		return n
	}
	return r.remember(strings.Clone(s))
}

func (r *Roller) nameBytes(b []byte) name {
	if n, ok := r.names[string(b)]; ok {
		return n
	}
	return r.remember(string(b))
}

// remember rolls an owned s and keeps the result.
func (r *Roller) remember(s string) name {
	if len(r.names) >= DefaultNames {
		clear(r.names)
	}
	n := r.prefix.roll(s)
	r.names[s] = n
	return n
}

// names turns the addresses of a packet into names: through a Roller when there is a
// prefix, else as they are (a flood of distinct addresses would only miss a cache), parsed
// for a conversation, which orders its ends.
type names struct {
	roller *Roller
	parse  bool
}

func newNames(c Config) names {
	if c.Prefix == NoPrefix {
		return names{parse: c.Key == Conversation}
	}
	return names{roller: NewRoller(c.Prefix)}
}

func (n names) of(s string) name {
	switch {
	case n.roller != nil:
		return n.roller.name(s)
	case n.parse:
		return newName(s)
	}
	return name{s: s}
}
