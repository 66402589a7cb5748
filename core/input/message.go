package input

import "strings"

// Message is err's text without the prefixes of the input sentinels it wraps ("synth: bad
// settings: ", "bad input image: "): they tell a program what kind of error it is, and a person
// reading what was wrong does not need them. The command line prints errors whole; the page
// shows Message.
func Message(err error) string {
	msg := err.Error()
	var strip func(error)
	strip = func(e error) {
		for e != nil {
			if k, ok := e.(*kind); ok {
				msg = strings.ReplaceAll(msg, k.text+": ", "")
			}
			switch u := e.(type) {
			case interface{ Unwrap() []error }:
				for _, inner := range u.Unwrap() {
					strip(inner)
				}
				return
			case interface{ Unwrap() error }:
				e = u.Unwrap()
			default:
				return
			}
		}
	}
	strip(err)
	return msg
}
