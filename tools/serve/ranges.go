package main

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// maxRanges is how many ranges a request may ask for in one response (Apache's MaxRanges is
// 200; browsers ask for one). Each part of a multipart answer carries about 100 bytes of headers,
// so 240,000 one-byte ranges made a 34.5 MB answer of a 1.7 MB file.
const maxRanges = 16

// rangeVerdict says how to answer a Range header for a file of size bytes: as it asks
// (rangeServe, ServeContent does it), ignoring it with the whole file (rangeIgnore, as nginx's
// max_ranges does beyond its limit), or refusing it with 416 (rangeRefuse: ranges that overlap,
// which no client needs and which only multiply the response).
type rangeVerdict int

const (
	rangeServe rangeVerdict = iota
	rangeIgnore
	rangeRefuse
)

func judgeRanges(header string, size int64) rangeVerdict {
	spec, ok := strings.CutPrefix(header, "bytes=")
	if !ok || !strings.Contains(spec, ",") {
		return rangeServe // one range, or not bytes: ServeContent knows what to do
	}
	type span struct{ start, end int64 } // inclusive
	var spans []span
	for _, part := range strings.Split(spec, ",") {
		first, last, ok := strings.Cut(strings.TrimSpace(part), "-")
		if !ok {
			return rangeServe // malformed: ServeContent refuses it
		}
		var s span
		switch {
		case first == "": // the last N bytes
			n, err := strconv.ParseInt(last, 10, 64)
			if err != nil {
				return rangeServe
			}
			s = span{max(size-n, 0), size - 1}
		default:
			start, err := strconv.ParseInt(first, 10, 64)
			if err != nil {
				return rangeServe
			}
			s = span{start, size - 1}
			if last != "" {
				end, err := strconv.ParseInt(last, 10, 64)
				if err != nil {
					return rangeServe
				}
				s.end = min(end, size-1)
			}
		}
		if s.start < size && s.start <= s.end {
			spans = append(spans, s)
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	for i := 1; i < len(spans); i++ {
		if spans[i].start <= spans[i-1].end {
			return rangeRefuse
		}
	}
	if strings.Count(spec, ",") >= maxRanges {
		return rangeIgnore
	}
	return rangeServe
}

// refuseRanges answers 416 with the size, as RFC 9110 asks.
func refuseRanges(w http.ResponseWriter, size int64) {
	w.Header().Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
	http.Error(w, "overlapping ranges", http.StatusRequestedRangeNotSatisfiable)
}
