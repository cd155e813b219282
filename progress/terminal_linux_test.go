package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal of cols columns and returns its terminal side; what is
// written there is read from the other side and returned by the func.
func openPTY(t *testing.T, cols uint16) (*os.File, func() string) {
	t.Helper()
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { ptm.Close() })
	require.NoError(t, unix.IoctlSetPointerInt(int(ptm.Fd()), unix.TIOCSPTLCK, 0))
	n, err := unix.IoctlGetInt(int(ptm.Fd()), unix.TIOCGPTN)
	require.NoError(t, err)
	pts, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	require.NoError(t, err)
	t.Cleanup(func() { pts.Close() })
	require.NoError(t, unix.IoctlSetWinsize(int(pts.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: cols}))
	read := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(ptm) // until the terminal side closes (EIO)
		read <- string(b)
	}()
	return pts, func() string {
		pts.Close()
		return <-read
	}
}

// On a real 80-column terminal, the bar is drawn and fits the terminal's width.
func TestBarFitsRealTerminal(t *testing.T) {
	t.Setenv("TERM", "xterm")
	pts, screen := openPTY(t, 80)
	require.True(t, IsTerminal(pts))
	term := NewTerminal(pts)
	require.Equal(t, 80, term.Width())

	r := &Reporter{cfg: Config{Name: "source", Unit: Bytes, Items: "lines"}, term: term}
	term.SetLine(r.barLine(wideFigures))
	term.Finish(r.barLine(wideFigures))
	got := strings.ReplaceAll(screen(), "\r\n", "\n") // the terminal turns \n into \r\n
	lines := strings.Split(got, clearLine)[1:]
	require.Len(t, lines, 2, "%q", got)
	for _, drawn := range lines {
		drawn = strings.TrimSuffix(drawn, "\n")
		assert.Less(t, len(drawn), 80, "%q", drawn)
		assert.Contains(t, drawn, "1023.0 GiB left", "%q", drawn)
	}
}
