package connector

import "errors"

// Errors of the source, of reading a Connect standalone offsets file, and of reading Connect's
// .properties files.
var (
	// ErrOversizeLine: a line is over the record size limit and the policy is OversizeFail.
	ErrOversizeLine = errors.New("line over the record size limit")
	// ErrInvalidConfig: Config.Validate found a bad value.
	ErrInvalidConfig = errors.New("invalid source config")
	// ErrUnknownOversize: ParseOversize was given a name it does not know.
	ErrUnknownOversize = errors.New("unknown oversize policy")
	// ErrTakenOver: with exactly-once, another instance with the same transactional ID
	// committed offsets while this one was retrying a failed transaction.
	ErrTakenOver = errors.New("another instance took over this connector and file")
	// ErrOffsetsUnsaved: the offsets file could not be written several times in a row
	// (disk full, read-only): the source stops rather than produce lines it cannot
	// account for.
	ErrOffsetsUnsaved = errors.New("cannot save offsets")
	// ErrOffsetsUnwritable: at start, the offsets file's directory cannot take a save (read-only,
	// no such directory and none can be made, the name is a directory).
	ErrOffsetsUnwritable = errors.New("offsets cannot be written")
	// ErrOffsetsLocked: another at-least-once source holds the offsets file; two would each
	// produce every line.
	ErrOffsetsLocked = errors.New("in use by another bridge source")
	// ErrNotRegularFile: the file to follow is a directory, a FIFO or a device, which has no
	// offsets to resume from.
	ErrNotRegularFile = errors.New("not a regular file")
	// ErrOffsetsFormat: the file holds a map, but not of the byte[] entries Connect writes.
	ErrOffsetsFormat = errors.New("not a connect offsets map")
	// ErrPositionPastEOF: the file is shorter than the saved position says.
	ErrPositionPastEOF = errors.New("position beyond end of file")
	// ErrPositionSplitsChar: the position falls between the two halves of a surrogate pair,
	// which no line end can.
	ErrPositionSplitsChar = errors.New("position splits a character")
	// ErrMalformedUnicodeEscape: a \u escape in a .properties file without four hex digits, which
	// java.util.Properties rejects (and Connect with it).
	ErrMalformedUnicodeEscape = errors.New(`malformed \uxxxx escape`)
	// ErrNotFileSource: the connector properties name a connector.class other than
	// FileStreamSource, which is all bridge source replaces.
	ErrNotFileSource = errors.New("bridge source only replaces FileStreamSource")
	// ErrMissingProperty: the properties files lack a setting bridge will not guess (file,
	// topic, bootstrap.servers); Connect refuses a connector without its topic too.
	ErrMissingProperty = errors.New("missing setting")
)
