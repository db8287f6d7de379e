package smtptest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strings"
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
	return spread(conns, n, func(k int) error { return blast(addr, body, k) })
}

// spread shares n messages out among conns connections, each sending its
// share with send in a goroutine of its own, and joins their errors.
func spread(conns, n int, send func(k int) error) error {
	conns = max(1, conns)
	errs := make([]error, conns)
	var wg sync.WaitGroup
	for i := range conns {
		k := n / conns
		if i < n%conns {
			k++
		}
		wg.Go(func() { errs[i] = send(k) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// blast sends n messages over one connection.
func blast(addr string, body []byte, n int) error {
	if n == 0 {
		return nil
	}
	c, r, w, _, err := dialBlast(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	expect := func(codes ...int) error {
		for _, code := range codes {
			if _, _, err := r.ReadResponse(code); err != nil {
				return err
			}
		}
		return nil
	}
	env := "MAIL FROM:<" + BlastFrom + ">\r\nRCPT TO:<" + BlastTo + ">\r\nDATA\r\n"
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

// BlastChunked sends n copies of msg like BlastPipelined, but as one BDAT
// chunk each (RFC 3030), as a server offering CHUNKING allows: no
// dot-stuffing, and no round trip per message. Each connection keeps up to
// window transactions (MAIL FROM, RCPT TO, BDAT LAST and the message)
// unanswered while a goroutine reads the replies. msg must have CRLF line
// ends. It is the yardstick for a sender that uses CHUNKING.
func BlastChunked(addr string, conns, window int, msg []byte, n int) error {
	return spread(conns, n, func(k int) error { return blastChunked(addr, msg, k, max(1, window)) })
}

// blastChunked sends n messages over one connection.
func blastChunked(addr string, msg []byte, n, window int) error {
	if n == 0 {
		return nil
	}
	c, r, w, ext, err := dialBlast(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if !strings.Contains(ext, "CHUNKING") {
		return errors.New("blast: the server does not offer CHUNKING")
	}
	c.SetDeadline(time.Now().Add(10 * time.Minute))
	room := make(chan struct{}, window) // a token per unanswered message
	read := make(chan error, 1)
	go func() {
		for i := range n {
			for range 3 { // MAIL FROM, RCPT TO, BDAT
				if _, _, err := r.ReadResponse(250); err != nil {
					read <- fmt.Errorf("blast: message %d: %w", i, err)
					c.Close()
					return
				}
			}
			<-room
		}
		read <- nil
	}()
	head := fmt.Sprintf("MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nBDAT %d LAST\r\n", BlastFrom, BlastTo, len(msg))
	for range n {
		select {
		case room <- struct{}{}:
		default: // the window is full: send what is buffered, then wait
			if err := w.Flush(); err != nil {
				return errors.Join(fmt.Errorf("blast: %w", err), <-read)
			}
			select {
			case room <- struct{}{}:
			case err := <-read: // only an error: messages are still unsent
				return err
			}
		}
		w.WriteString(head)
		w.Write(msg)
	}
	if err := w.Flush(); err != nil {
		return errors.Join(fmt.Errorf("blast: %w", err), <-read)
	}
	if err := <-read; err != nil {
		return err
	}
	w.WriteString("QUIT\r\n")
	w.Flush()
	return nil
}

// dialBlast connects to addr and says EHLO, and returns the connection,
// its reader and writer, and the EHLO reply's lines. The connection has a
// deadline 30 s ahead.
func dialBlast(addr string) (net.Conn, *textproto.Reader, *bufio.Writer, string, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, nil, nil, "", fmt.Errorf("blast: %w", err)
	}
	c.SetDeadline(time.Now().Add(30 * time.Second))
	r := textproto.NewReader(bufio.NewReader(c))
	w := bufio.NewWriterSize(c, 64<<10)
	if _, _, err := r.ReadResponse(220); err != nil {
		c.Close()
		return nil, nil, nil, "", fmt.Errorf("blast: greeting: %w", err)
	}
	w.WriteString("EHLO blast.localhost\r\n")
	if err := w.Flush(); err != nil {
		c.Close()
		return nil, nil, nil, "", fmt.Errorf("blast: %w", err)
	}
	_, ext, err := r.ReadResponse(250)
	if err != nil {
		c.Close()
		return nil, nil, nil, "", fmt.Errorf("blast: EHLO: %w", err)
	}
	return c, r, w, ext, nil
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
