package talkers

import "errors"

// Sentinel errors.
var (
	// ErrKind means a key kind other than pair, conversation or host.
	ErrKind = errors.New("unknown key kind (want pair, conversation or host)")
	// ErrMeasure means a measure other than packets or bytes.
	ErrMeasure = errors.New("unknown measure (want packets or bytes)")
	// ErrPrefix means a --prefix that is not V4[,V6] with V4 in 0..32 and V6 in 0..128.
	ErrPrefix = errors.New("bad prefix (want V4[,V6], V4 0-32, V6 0-128)")
	// ErrMismatch means two summaries of different kinds, measures or capacities (or a
	// summary merged with itself).
	ErrMismatch = errors.New("summaries differ in kind, measure or capacity")
	// ErrEncoding means bytes that are not a summary this version can read.
	ErrEncoding = errors.New("bad summary encoding")
	// ErrWindow means a window that is not a positive multiple of its slide, or one of
	// more than MaxPanes slides.
	ErrWindow = errors.New("bad window")
)
