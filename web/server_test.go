package web

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

func TestSecurityHeaders(t *testing.T) {
	tok := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(tok, []byte("t"), 0o600))
	_, open := startServer(t, Config{})
	_, closed := startServer(t, Config{TokenFile: tok})
	for _, url := range []string{open + "/", open + "/assets/app.js", open + "/view.json",
		open + "/charts/rates.svg", open + "/nope", closed + "/"} {
		t.Run(strings.TrimPrefix(url, "http://"), func(t *testing.T) {
			resp, _ := get(t, url)
			csp := resp.Header.Get("Content-Security-Policy")
			assert.Contains(t, csp, "script-src 'self'")
			assert.NotContains(t, csp, "unsafe-inline")
			assert.Contains(t, csp, "default-src 'self'")
			assert.Contains(t, csp, "frame-ancestors 'none'")
			assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
		})
	}
}

func TestAssets(t *testing.T) {
	_, base := startServer(t, Config{})
	for _, tc := range []struct{ path, ctype, has string }{
		{"/", "text/html", `<script src="assets/app.js"`},
		{"/assets/app.js", "text/javascript", "EventSource"},
		{"/assets/style.css", "text/css", "--bg"},
		{"/assets/favicon.svg", "image/svg+xml", "<svg"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := get(t, base+tc.path)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Contains(t, resp.Header.Get("Content-Type"), tc.ctype)
			assert.Contains(t, body, tc.has)
		})
	}
	t.Run("page has no inline script or style and names no other host", func(t *testing.T) {
		_, page := get(t, base+"/")
		assert.NotContains(t, page, "<script>")
		assert.NotContains(t, page, "style=")
		assert.NotContains(t, page, " on", "no inline event handler attributes")
		for _, f := range []string{"/", "/assets/app.js", "/assets/style.css"} {
			_, body := get(t, base+f)
			// The SVG namespace is a name, not a place anything is fetched from.
			body = strings.ReplaceAll(body, "'http://www.w3.org/2000/svg'", "")
			assert.False(t, strings.Contains(body, "http://") || strings.Contains(body, "https://"),
				"%s names another host", f)
		}
		_, js := get(t, base+"/assets/app.js")
		for _, sink := range []string{".innerHTML", ".outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"} {
			assert.False(t, strings.Contains(js, sink), "app.js uses %s", sink)
		}
	})
	t.Run("no directory listing", func(t *testing.T) {
		resp, _ := get(t, base+"/assets/")
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	})
	t.Run("unknown chart", func(t *testing.T) {
		resp, _ := get(t, base+"/charts/nope.svg")
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	})
}

func TestViewJSONFollowsPublish(t *testing.T) {
	srv, base := startServer(t, Config{})
	_, body := get(t, base+"/view.json")
	assert.Equal(t, "null", body, "no view before the first snapshot")
	snap := officeSnapshot(20, 4, MeasurePackets)
	srv.Publish(snap)
	var v view
	require.Eventually(t, func() bool {
		_, body := get(t, base+"/view.json")
		return json.Unmarshal([]byte(body), &v) == nil && v.Seq == 1
	}, 10*time.Second, 10*time.Millisecond)
	require.Len(t, v.Rows, 20)
	assert.Equal(t, snap.Rows[0].A, v.Rows[0].A)
	assert.Equal(t, snap.TotalBytes, v.Total.Bytes)
}

func TestChartsAreSVG(t *testing.T) {
	srv, base := startServer(t, Config{})
	snap := officeSnapshot(10, 5, MeasurePackets)
	snap.Protocols = append([]Protocol{{Name: hostileScript, Packets: 1 << 40, Bytes: 1 << 41}}, snap.Protocols...)
	srv.Publish(snap)
	require.Eventually(t, func() bool {
		_, body := get(t, base+"/view.json")
		return body != "null"
	}, 10*time.Second, 10*time.Millisecond)
	for _, path := range []string{"/charts/rates.svg?by=packets", "/charts/rates.svg?by=bytes",
		"/charts/protocols.svg?by=packets", "/charts/protocols.svg?by=bytes"} {
		t.Run(path, func(t *testing.T) {
			resp, body := get(t, base+path)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, "image/svg+xml", resp.Header.Get("Content-Type"))
			assert.NoError(t, wellFormed(body), "not well-formed XML")
			assert.NotContains(t, body, "<script")
			if strings.HasPrefix(path, "/charts/protocols") {
				assert.Contains(t, body, "TLSv1.3")
				assert.Contains(t, body, "&lt;/script&gt;", "the hostile name is escaped")
			}
		})
	}
}

func wellFormed(doc string) error {
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
