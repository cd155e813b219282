package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
)

// cookieName holds the session once the token was accepted from the URL.
const cookieName = "bridge_view"

// auth checks a bearer token: in the Authorization header, in the session cookie, or once in the
// URL (?token=), which sets the cookie and redirects to the same URL without the token, so it
// stays out of the history and of Referer headers.
type auth struct {
	token   string // empty: no auth
	session string // the cookie's value: derived from the token, so the cookie is not the token
	secure  bool   // the view is served over TLS: the cookie is Secure
}

func newAuth(token string, secure bool) auth {
	if token == "" {
		return auth{}
	}
	sum := sha256.Sum256([]byte("bridge web session\x00" + token))
	return auth{token: token, session: hex.EncodeToString(sum[:]), secure: secure}
}

// equal compares in constant time; hashing first hides the length too.
func equal(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

func (a auth) wrap(next http.Handler) http.Handler {
	if a.token == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Has("token") {
			if !equal(q.Get("token"), a.token) {
				deny(w)
				return
			}
			http.SetCookie(w, &http.Cookie{
				Name: cookieName, Value: a.session, Path: "/",
				HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteStrictMode,
			})
			q.Del("token")
			u := *r.URL
			u.RawQuery = q.Encode()
			http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
			return
		}
		if a.allowed(r) {
			next.ServeHTTP(w, r)
			return
		}
		deny(w)
	})
}

func (a auth) allowed(r *http.Request) bool {
	if h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return equal(strings.TrimSpace(h), a.token)
	}
	if c, err := r.Cookie(cookieName); err == nil {
		return equal(c.Value, a.session)
	}
	return false
}

func deny(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="bridge"`)
	http.Error(w, "unauthorized: open the URL with ?token=... once, or send a bearer token",
		http.StatusUnauthorized)
}
