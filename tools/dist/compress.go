package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/andybalholm/brotli"

	"github.com/texsynth/texsynth/tools/internal/web"
)

// compressAll writes name.br and name.gz beside every compressible file of the folder, keeping a
// copy only when it is smaller than the file: servers that find one send it as it is
// (Content-Encoding), so the work is done once here rather than on every request, and at the
// highest settings. Two files at a time: the machine is shared.
func compressAll(dir string, files []*file, quality int) error {
	jobs := make(chan *file)
	errs := make(chan error, len(files))
	var wg sync.WaitGroup
	for range min(2, runtime.NumCPU()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				if err := compressOne(dir, f, quality); err != nil {
					errs <- err
				}
			}
		}()
	}
	// The largest first, so the two workers end together.
	order := append([]*file(nil), files...)
	sortBySize(order)
	for _, f := range order {
		if web.Compressible(f.out) {
			jobs <- f
		}
	}
	close(jobs)
	wg.Wait()
	close(errs)
	return <-errs // nil when there was none
}

// barelyCompressible is the gzip ratio above which a file is mostly noise (the weights: int8
// numbers drawn at random), where brotli's top quality would take minutes to gain a few per cent.
const barelyCompressible = 0.8

// fastQuality is the brotli quality for such files.
const fastQuality = 5

// compressOne writes f's .gz, then its .br: at the given quality, or fastQuality when gzip showed
// the file is barely compressible.
func compressOne(dir string, f *file, quality int) error {
	var gz bytes.Buffer
	if err := gzipTo(&gz, f.data); err != nil {
		return err
	}
	if ratio := float64(gz.Len()) / float64(max(1, len(f.data))); ratio > barelyCompressible {
		quality = min(quality, fastQuality)
	}
	var br bytes.Buffer
	if err := brotliTo(&br, f.data, quality); err != nil {
		return err
	}
	var err error
	f.gzip, err = keepIfSmaller(dir, f, ".gz", gz.Bytes())
	if err != nil {
		return err
	}
	f.brotli, err = keepIfSmaller(dir, f, ".br", br.Bytes())
	return err
}

// keepIfSmaller writes f's compressed copy when it is smaller than f, and returns its size (0
// when it is not kept).
func keepIfSmaller(dir string, f *file, ext string, data []byte) (int64, error) {
	if len(data) >= len(f.data) {
		return 0, nil
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(f.out)+ext), data, 0o644); err != nil {
		return 0, err
	}
	return int64(len(data)), nil
}

// brotliTo compresses with a 16 MB window, so the whole wasm is in reach of a back reference.
func brotliTo(buf *bytes.Buffer, data []byte, quality int) error {
	w := brotli.NewWriterOptions(buf, brotli.WriterOptions{Quality: quality, LGWin: 24})
	if _, err := w.Write(data); err != nil {
		return err
	}
	return w.Close()
}

func gzipTo(buf *bytes.Buffer, data []byte) error {
	w, err := gzip.NewWriterLevel(buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return err
	}
	return w.Close()
}
