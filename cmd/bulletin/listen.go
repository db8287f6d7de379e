package main

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// listen listens on BULLETIN_ADDR for who ("serve", "worker"), or says
// what to do about an address it cannot take, by the reason: it said
// "stop what listens there" for any, also for an address this host does
// not have, where nothing listens.
func listen(addr, who string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, usagef("listen on BULLETIN_ADDR %s: %v: %s", addr, err, listenAdvice(err, who))
	}
	return ln, nil
}

// listenAdvice is what to do about err, a failed listen of who's.
func listenAdvice(err error, who string) string {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return fmt.Sprintf("stop what listens there, or give this %s another BULLETIN_ADDR", who)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return "this host has no such address: give one of its own (127.0.0.1:8080, or :8080 for all of them)"
	case errors.Is(err, syscall.EACCES):
		return "a port below 1024 needs privileges this process lacks: give a port of 1024 or more (:8080), behind a proxy that listens on 80 and 443"
	}
	return fmt.Sprintf("give this %s another BULLETIN_ADDR", who)
}
