package talkers

import "time"

// Sharing panes between instances (issue 14): each instance counts its records into its
// own panes, ships each pane's summaries (AppendBinary) and merges the ones it receives
// with MergePane, so every instance answers each window over all the records.

// EachPane calls fn for every pane held, oldest first, with the start of its slide and
// its talkers and protocol summaries. fn must not keep or change the summaries.
func (w *Windows) EachPane(fn func(start time.Time, talk, proto *Summary)) {
	for _, i := range w.order {
		p := w.panes[i]
		fn(time.Unix(0, i*w.slide).UTC(), p.talk, p.proto)
	}
}

// MergePane adds another instance's summaries for the slide starting at start (as
// EachPane reported it) to this instance's pane. Like Add it returns false, merging
// nothing, when every window of that slide was already emitted; the summaries must have
// this Windows' kind, measure and capacity (else ErrMismatch).
func (w *Windows) MergePane(start time.Time, talk, proto *Summary) (bool, error) {
	if talk.kind != w.cfg.Key || talk.by != w.cfg.By || talk.capacity != w.cfg.Capacity ||
		proto.kind != Pair || proto.by != Packets || proto.capacity != protocolCapacity {
		return false, ErrMismatch
	}
	i := floorDiv(start.UnixNano(), w.slide)
	if !w.started {
		w.started, w.next = true, i+1
	}
	if i+w.n < w.next {
		w.late++
		return false, nil
	}
	w.pane(i).merge([]*pane{{talk: talk, proto: proto}})
	return true, nil
}
