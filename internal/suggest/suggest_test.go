package suggest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"file", "file", 0}, {"fiel", "file", 1}, {"topc", "topic", 1}, {"", "abc", 3},
		{"bootstrap.server", "bootstrap.servers", 1}, {"kitten", "sitting", 3}, {"ca", "abc", 3}} {
		t.Run(tc.a+"/"+tc.b, func(t *testing.T) {
			assert.Equal(t, tc.d, Distance(tc.a, tc.b))
			assert.Equal(t, tc.d, Distance(tc.b, tc.a))
		})
	}
}

func TestNearest(t *testing.T) {
	words := []string{"topic", "file", "files"}
	assert.Equal(t, "file", Nearest("fiel", words))
	assert.Equal(t, "topic", Nearest("topc", words))
	assert.Equal(t, "topic", Nearest("zzzzz", words), "a tie goes to the first")
	assert.Empty(t, Nearest("x", nil))
}
