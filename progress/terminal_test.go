package progress

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// /dev/null is a character device, but no terminal: a bar drawn there is lost.
func TestDevNullIsNoTerminal(t *testing.T) {
	t.Setenv("TERM", "xterm")
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(t, err)
	defer f.Close()
	assert.False(t, IsTerminal(f))
	assert.Zero(t, NewTerminal(f).Width())
}

// wideFigures make the longest bar line bridge draws: a large backlog, a high rate and an
// ETA in hours.
var wideFigures = Figures{Behind: 1023 << 30, Percent: 45.3, ItemRate: 987_654, ETA: 1234*time.Hour + 56*time.Minute}

func TestBarLineFitsWidth(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   Config
		width int
	}{
		{"source at 80", Config{Name: "source", Unit: Bytes, Items: "lines"}, 80},
		{"stream at 80", Config{Name: "stream", Unit: Records, Items: "records"}, 80},
		{"stream at 60", Config{Name: "stream", Unit: Records, Items: "records"}, 60},
		{"source at 30", Config{Name: "source", Unit: Bytes, Items: "lines"}, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var screen syncBuffer
			term := NewTerminal(&screen)
			r := &Reporter{cfg: tc.cfg, term: term}
			wide := r.barLine(wideFigures)
			require.Greater(t, len(wide), tc.width, "the unfitted line must overflow for the test to mean anything")

			term.width = func() int { return tc.width }
			line := r.barLine(wideFigures)
			term.SetLine(line)
			term.Finish(r.doneLine(1023<<30, 12_345_678_901, 1234*time.Hour))
			for _, drawn := range strings.Split(screen.String(), clearLine)[1:] {
				drawn = strings.TrimSuffix(drawn, "\n")
				assert.Less(t, len(drawn), tc.width, "%q", drawn)
				assert.True(t, strings.HasPrefix(drawn, tc.cfg.Name+" ["), "%q", drawn)
			}
			if tc.width >= 80 {
				after := func(s string) string { return s[strings.Index(s, "]"):] }
				assert.Equal(t, after(wide), after(line), "at 80 columns only the bar narrows; every figure stays")
			}
		})
	}
}
