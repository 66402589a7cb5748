// Package picture turns a user's image file into the RGB planes the core works on, and back into
// a PNG.
//
// Inside the core an image is float32 RGB in [0,1], height × width × 3, row-major (HWC). This
// package decodes every supported file format into that form (PNG, JPEG, GIF, WebP, BMP, TIFF),
// resamples and crops it, writes PNG output safely, and collects the notices the user should be
// told about their input (alpha dropped, scaled down, animated GIF). Every error caused by the
// user's file or path wraps ErrInput.
package picture
