package talkers

// pane is what one slide (or a whole input) counted: the talkers and the protocol mix.
type pane struct {
	talk  *Summary
	proto *Summary
}

func newPane(c Config) *pane {
	talk, err := NewSummary(c.Key, c.By, c.Capacity)
	if err != nil {
		panic(err) // Config was validated
	}
	return &pane{talk: talk, proto: NewProtocolSummary()}
}

func (p *pane) add(src, dst name, length int64, proto string) {
	p.talk.add(src, dst, length)
	p.proto.AddProtocol(proto, int(length))
}

// merge adds the panes to p. They share p's Config, so their summaries always match.
func (p *pane) merge(panes []*pane) {
	talk := make([]*Summary, len(panes))
	proto := make([]*Summary, len(panes))
	for i, o := range panes {
		talk[i], proto[i] = o.talk, o.proto
	}
	_ = p.talk.Merge(talk...)
	_ = p.proto.Merge(proto...)
}

func (p *pane) reset() {
	p.talk.Reset()
	p.proto.Reset()
}
