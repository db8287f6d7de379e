package web

// DigestDeps are what the digest, feed and archive routes need.
type DigestDeps struct{}

// digestRoutes registers the digest and feed API and the public archive.
func (s *Server) digestRoutes() {}
