//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"syscall/js"

	"github.com/texsynth/texsynth/core/picture"
)

// decode reads an image file's bytes exactly as the command line does (picture.Decode with
// picture.MaxSide): tiny images are refused, huge ones scaled down, animated GIFs give their
// first frame, alpha is ignored — each said in a notice. The result is opaque RGBA for the page
// to show and to pass back to start.
func decode(args []js.Value) (map[string]any, error) {
	if len(args) < 1 {
		return nil, errors.New("decode(bytes)")
	}
	data, err := bytesArg(args[0])
	if err != nil {
		return nil, err
	}
	img, notices, err := picture.Decode(data, picture.MaxSide)
	if err != nil {
		return nil, err
	}
	list := make([]any, len(notices))
	for i, n := range notices {
		list[i] = string(n)
	}
	return map[string]any{"width": img.W, "height": img.H, "rgba": rgbaValue(img), "notices": list}, nil
}

// rgbaValue is img as a new Uint8ClampedArray of opaque RGBA, the layout of ImageData.
func rgbaValue(img *picture.RGB) js.Value {
	nrgba := img.Image()
	arr := js.Global().Get("Uint8ClampedArray").New(len(nrgba.Pix))
	js.CopyBytesToJS(arr, nrgba.Pix)
	return arr
}

// exemplarArg reads an exemplar given as (rgba, width, height) arguments: opaque RGBA (from
// decode, or drawn by the page).
func exemplarArg(args []js.Value) (*picture.RGB, error) {
	if len(args) < 3 {
		return nil, errors.New("expected (rgba, width, height, …)")
	}
	rgba, err := bytesArg(args[0])
	if err != nil {
		return nil, err
	}
	return rgbFromRGBA(rgba, args[1].Int(), args[2].Int())
}

// rgbFromRGBA turns RGBA bytes into the core's RGB in [0,1]; alpha is ignored, as in Decode.
func rgbFromRGBA(rgba []byte, w, h int) (*picture.RGB, error) {
	if w < picture.MinSide || h < picture.MinSide {
		return nil, fmt.Errorf("%w: the exemplar is %d×%d pixels; both sides must be at least %d", picture.ErrInput, w, h, picture.MinSide)
	}
	if len(rgba) != w*h*4 {
		return nil, errors.New("exemplar: the RGBA data does not match width × height × 4")
	}
	pix := make([]float32, w*h*3)
	for i, j := 0, 0; i < len(rgba); i, j = i+4, j+3 {
		pix[j] = float32(rgba[i]) / 255
		pix[j+1] = float32(rgba[i+1]) / 255
		pix[j+2] = float32(rgba[i+2]) / 255
	}
	return &picture.RGB{W: w, H: h, Pix: pix}, nil
}
