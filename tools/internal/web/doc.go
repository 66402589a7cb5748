// Package web holds what the static server (tools/serve) and the deployment builder (tools/dist)
// must agree on: the Content-Security-Policy, which files carry a content hash in their name and
// so may be cached for ever, the MIME types, and which files are worth compressing.
package web
