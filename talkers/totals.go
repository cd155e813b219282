package talkers

// Totals counts a whole input, as bridge parse does: one pane and no windows. With
// Capacity Unlimited every count is exact.
type Totals struct {
	cfg   Config
	names names
	proto *Roller
	all   *pane
}

// NewTotals returns empty totals for c (Window and Slide are ignored).
func NewTotals(c Config) (*Totals, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c = c.withDefaults()
	return &Totals{cfg: c, names: newNames(c), proto: NewRoller(NoPrefix), all: newPane(c)}, nil
}

// Add counts one packet from src to dst of length bytes with tshark's protocol name. As
// for Windows.Add, without a prefix the addresses are kept as given.
func (t *Totals) Add(src, dst string, length int, proto string) {
	t.all.add(t.names.of(src), t.names.of(dst), int64(length), t.proto.name(proto).s)
}

// Result is the answer over everything added so far (Start and End are zero).
func (t *Totals) Result() Result { return t.all.result(t.cfg) }

// Summary is the talkers summary itself, for merging or shipping elsewhere.
func (t *Totals) Summary() *Summary { return t.all.talk }
