package smtptest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"sync"
	"time"
)

// The envelope of every message BlastPipelined sends.
const (
	BlastFrom = "blast@localhost"
	BlastTo   = "sink@localhost"
)

// BlastPipelined sends n copies of msg to the SMTP server at addr as fast
// as a client can: over conns persistent connections in parallel, each
// writing the end of one message's data together with the next MAIL FROM,
// RCPT TO and DATA (RFC 2920), so that a message costs one round trip. It
// does no rate limiting, retrying or error mapping: it is the yardstick a
// real sender is measured against.
func BlastPipelined(addr string, conns int, msg []byte, n int) error {
	body, err := dotStuff(msg)
	if err != nil {
		return err
	}
	conns = max(1, conns)
	errs := make([]error, conns)
	var wg sync.WaitGroup
	for i := range conns {
		k := n / conns
		if i < n%conns {
			k++
		}
		wg.Go(func() { errs[i] = blast(addr, body, k) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// blast sends n messages over one connection.
func blast(addr string, body []byte, n int) error {
	if n == 0 {
		return nil
	}
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return fmt.Errorf("blast: %w", err)
	}
	defer c.Close()
	r := textproto.NewReader(bufio.NewReader(c))
	w := bufio.NewWriterSize(c, 64<<10)
	expect := func(codes ...int) error {
		for _, code := range codes {
			if _, _, err := r.ReadResponse(code); err != nil {
				return err
			}
		}
		return nil
	}
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if err := expect(220); err != nil {
		return fmt.Errorf("blast: greeting: %w", err)
	}
	env := "MAIL FROM:<" + BlastFrom + ">\r\nRCPT TO:<" + BlastTo + ">\r\nDATA\r\n"
	w.WriteString("EHLO blast.localhost\r\n")
	if err := w.Flush(); err != nil {
		return fmt.Errorf("blast: %w", err)
	}
	if err := expect(250); err != nil {
		return fmt.Errorf("blast: EHLO: %w", err)
	}
	w.WriteString(env)
	if err := w.Flush(); err != nil {
		return fmt.Errorf("blast: %w", err)
	}
	for i := range n {
		if i%1024 == 0 {
			c.SetDeadline(time.Now().Add(30 * time.Second))
		}
		if err := expect(250, 250, 354); err != nil {
			return fmt.Errorf("blast: message %d: %w", i, err)
		}
		w.Write(body)
		if i < n-1 {
			w.WriteString(env)
		}
		if err := w.Flush(); err != nil {
			return fmt.Errorf("blast: message %d: %w", i, err)
		}
		if err := expect(250); err != nil {
			return fmt.Errorf("blast: message %d: %w", i, err)
		}
	}
	w.WriteString("QUIT\r\n")
	w.Flush()
	return nil
}

// dotStuff returns msg as DATA content: CRLF lines, leading dots doubled,
// ending with the lone-dot line.
func dotStuff(msg []byte) ([]byte, error) {
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	dw := textproto.NewWriter(bw).DotWriter()
	if _, err := dw.Write(msg); err != nil {
		return nil, err
	}
	if err := dw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
