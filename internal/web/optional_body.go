package web

import (
	"bufio"
	"io"
	"net/http"
)

// hasOptionalBody reports whether r, sent to a route whose body is
// optional, carries one. An empty body, or one of only JSON's whitespace,
// is none whatever its Content-Type: clients and proxies set
// "Content-Type: application/json" on every call, and the routes that
// take no body read such a request the same way (checkNoBody). A body
// with something in it is left for decodeJSON to read from its first
// byte that is not whitespace; one that cannot be read counts as sent,
// so that decodeJSON answers its error (413 for one over the limit).
func hasOptionalBody(r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return false
	}
	br := bufio.NewReader(r.Body)
	for {
		b, err := br.ReadByte()
		if err == io.EOF {
			r.Body = http.NoBody
			return false
		}
		if err != nil {
			r.Body = readCloser{br, r.Body}
			return true
		}
		if b != ' ' && b != '\t' && b != '\n' && b != '\r' {
			_ = br.UnreadByte()
			r.Body = readCloser{br, r.Body}
			return true
		}
	}
}

// readCloser reads from one reader and closes another: a body partly
// read through a bufio.Reader, closed as the request's.
type readCloser struct {
	io.Reader
	io.Closer
}
