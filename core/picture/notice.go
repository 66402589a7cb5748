package picture

import "fmt"

// Notice is something the user should be told about their input that is not an error, for
// example that the alpha channel is ignored or that the image was scaled down. Each is a whole
// sentence fragment ready to print.
type Notice string

// noticeAlpha says why transparent areas may look different from what the user sees in a viewer.
const noticeAlpha Notice = "the alpha channel is ignored: transparent pixels are used as if opaque, and fully transparent ones become black"

// noticeAnimated says that only the first frame of an animation is used.
func noticeAnimated(frames int) Notice {
	return Notice(fmt.Sprintf("animated GIF with %d frames: using the first frame", frames))
}

// noticeScaled says how the exemplar was shrunk, so the user knows the texture's scale changed.
func noticeScaled(w, h, nw, nh, maxSide int) Notice {
	return Notice(fmt.Sprintf("scaled down from %d×%d to %d×%d (the larger side is limited to %d pixels)", w, h, nw, nh, maxSide))
}
