package web

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func tokenServer(t *testing.T) string {
	t.Helper()
	tok := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(tok, []byte("  s3cret\n"), 0o600))
	_, base := startServer(t, Config{TokenFile: tok})
	return base
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func TestAuth(t *testing.T) {
	base := tokenServer(t)
	get := func(t *testing.T, path string, header http.Header) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		require.NoError(t, err)
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := (&http.Client{CheckRedirect: noRedirect}).Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	t.Run("nothing", func(t *testing.T) {
		resp := get(t, "/view.json", nil)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "Bearer")
	})
	t.Run("bearer", func(t *testing.T) {
		assert.Equal(t, http.StatusOK, get(t, "/view.json", http.Header{"Authorization": {"Bearer s3cret"}}).StatusCode)
	})
	t.Run("wrong bearer", func(t *testing.T) {
		assert.Equal(t, http.StatusUnauthorized, get(t, "/view.json", http.Header{"Authorization": {"Bearer s3cre"}}).StatusCode)
	})
	t.Run("wrong url token", func(t *testing.T) {
		assert.Equal(t, http.StatusUnauthorized, get(t, "/?token=nope", nil).StatusCode)
	})
	t.Run("forged cookie", func(t *testing.T) {
		assert.Equal(t, http.StatusUnauthorized, get(t, "/view.json", http.Header{"Cookie": {cookieName + "=s3cret"}}).StatusCode)
	})
	t.Run("url token once, then the cookie", func(t *testing.T) {
		resp := get(t, "/?token=s3cret&x=1", nil)
		assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
		assert.Equal(t, "/?x=1", resp.Header.Get("Location"), "the token is stripped from the URL")
		cookies := resp.Cookies()
		require.Len(t, cookies, 1)
		c := cookies[0]
		assert.Equal(t, cookieName, c.Name)
		assert.True(t, c.HttpOnly)
		assert.Equal(t, http.SameSiteStrictMode, c.SameSite)
		assert.NotContains(t, c.Value, "s3cret", "the cookie is not the token")
		assert.Equal(t, http.StatusOK, get(t, "/events?probe", http.Header{"Cookie": {c.Name + "=" + c.Value}}).StatusCode)
	})
	t.Run("browser flow", func(t *testing.T) {
		jar, err := cookiejar.New(nil)
		require.NoError(t, err)
		client := &http.Client{Jar: jar}
		resp, err := client.Get(base + "/?token=s3cret")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "/", resp.Request.URL.RequestURI())
		u, _ := url.Parse(base)
		assert.Len(t, jar.Cookies(u), 1)
		resp, err = client.Get(base + "/assets/app.js")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	})
}

func TestEqualIsExact(t *testing.T) {
	assert.True(t, equal("abc", "abc"))
	assert.False(t, equal("abc", "abd"))
	assert.False(t, equal("abc", "abcd"))
	assert.False(t, equal("", "abc"))
	assert.False(t, equal(strings.Repeat("a", 64), strings.Repeat("a", 63)))
}
