package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The driver reads bridge's Prometheus /metrics: a counter says when a --top run has read
// every record, a histogram how long the group's answers took.

// scrape reads a /metrics endpoint with parse.
func scrape[T any](url string, parse func(io.Reader) (T, error)) (T, error) {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		var zero T
		return zero, err
	}
	defer resp.Body.Close()
	return parse(resp.Body)
}

// bucket is one cumulative histogram bucket: count of observations ≤ le.
type bucket struct {
	le    float64
	count int64
}

type histogram struct {
	buckets []bucket
	count   int64
	sum     float64
}

// parseHistogram reads an unlabelled histogram from Prometheus text format.
func parseHistogram(r io.Reader, name string) (histogram, error) {
	var h histogram
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		sp := strings.LastIndexByte(line, ' ')
		if sp < 0 {
			continue
		}
		metric, val := line[:sp], line[sp+1:]
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			continue
		}
		switch {
		case metric == name+"_sum":
			h.sum = v
		case metric == name+"_count":
			h.count = int64(v)
		case strings.HasPrefix(metric, name+`_bucket{le="`):
			le, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(metric, name+`_bucket{le="`), `"}`), 64)
			if err == nil {
				h.buckets = append(h.buckets, bucket{le: le, count: int64(v)})
			}
		}
	}
	return h, sc.Err()
}

// mergeBuckets adds histograms of the same buckets.
func mergeBuckets(a, b []bucket) []bucket {
	if a == nil {
		return slices.Clone(b)
	}
	for i := range a {
		if i < len(b) && b[i].le == a[i].le {
			a[i].count += b[i].count
		}
	}
	return a
}

// quantile is the upper bound of the bucket holding the q-th observation (+Inf: beyond
// the last bound).
func quantile(bs []bucket, count int64, q float64) float64 {
	if count == 0 {
		return 0
	}
	want := int64(math.Ceil(q * float64(count)))
	for _, b := range bs {
		if b.count >= want {
			return b.le
		}
	}
	return math.Inf(1)
}

// counter is scrapeCounter of name, for scrape.
func counter(name string) func(io.Reader) (int64, error) {
	return func(r io.Reader) (int64, error) { return scrapeCounter(r, name) }
}

// scrapeCounter reads one unlabelled sample from Prometheus text format.
func scrapeCounter(r io.Reader, name string) (int64, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return int64(v), err
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no %s", name)
}
