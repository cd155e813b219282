package browsertest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShrinkPNGKeepsAFewColoursExactly(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 300, 200))
	for y := range 200 {
		for x := range 300 {
			img.Set(x, y, color.RGBA{R: uint8(x % 10 * 20), G: uint8(y % 12 * 20), B: 40, A: 255})
		}
	}
	var in bytes.Buffer
	require.NoError(t, png.Encode(&in, img))
	out, err := shrinkPNG(in.Bytes())
	require.NoError(t, err)
	got, err := png.Decode(bytes.NewReader(out))
	require.NoError(t, err)
	_, paletted := got.(*image.Paletted)
	assert.True(t, paletted)
	for y := range 200 {
		for x := range 300 {
			require.Equal(t, img.RGBAAt(x, y), color.RGBAModel.Convert(got.At(x, y)), "pixel %d,%d", x, y)
		}
	}
}

func TestShrinkPNGRefusesWhatIsNoPNG(t *testing.T) {
	_, err := shrinkPNG([]byte("not a png"))
	assert.Error(t, err)
}
