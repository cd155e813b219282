package browsertest

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"maps"
	"slices"
)

// shrinkPNG re-encodes a screenshot with a palette of its 256 most frequent colours: the
// view is a dark page of a few flat colours, so the picture looks the same at a fifth of
// the size (the README's copy stays small).
func shrinkPNG(b []byte) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decode screenshot: %w", err)
	}
	r := img.Bounds()
	rgba := image.NewRGBA(r)
	draw.Draw(rgba, r, img, r.Min, draw.Src)
	counts := map[uint32]int{}
	for i := 0; i < len(rgba.Pix); i += 4 {
		counts[binary.BigEndian.Uint32(rgba.Pix[i:])]++
	}
	colours := slices.SortedFunc(maps.Keys(counts), func(a, b uint32) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b))
	})
	pal := make(color.Palette, 0, 256)
	for _, c := range colours[:min(len(colours), 256)] {
		pal = append(pal, unpack(c))
	}
	out := image.NewPaletted(r, pal)
	index := map[uint32]uint8{}
	for i, j := 0, 0; i < len(rgba.Pix); i, j = i+4, j+1 {
		c := binary.BigEndian.Uint32(rgba.Pix[i:])
		k, ok := index[c]
		if !ok {
			k = uint8(pal.Index(unpack(c)))
			index[c] = k
		}
		out.Pix[j] = k
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, out); err != nil {
		return nil, fmt.Errorf("encode screenshot: %w", err)
	}
	return buf.Bytes(), nil
}

func unpack(c uint32) color.RGBA {
	return color.RGBA{R: uint8(c >> 24), G: uint8(c >> 16), B: uint8(c >> 8), A: uint8(c)}
}
