package mailer

import (
	"context"
	"fmt"
	"sync"
)

// A Signer adds DKIM signatures to a composed message; *dkim.Signer is
// one. Sign appends the signature header fields of msg to dst, then msg
// itself (with CRLF line ends), and returns the result: what is sent from
// then on, unchanged to the last byte.
type Signer interface {
	Sign(dst, msg []byte) ([]byte, error)
}

// Signing returns t signing each message with s before it sends it, for
// messages composed whole (confirmations, test sends); t itself when s is
// nil, so unsigned mail costs nothing more. When t sends batches (SMTP),
// so does the result: each message is signed, then the batch goes to t;
// and when t streams them (SMTP), the result does too, each message
// signed as it is handed over, so that a refusal gate in front of it
// (Gate.Transport) signs none it holds back.
func Signing(t Transport, s Signer) Transport {
	if s == nil {
		return t
	}
	st := &signingTransport{t: t, s: s}
	b, ok := t.(BatchSender)
	if !ok {
		return st
	}
	sb := &signingBatch{signingTransport: st, b: b}
	if ss, ok := t.(StreamSender); ok {
		return &signingStream{signingBatch: sb, stream: ss}
	}
	return sb
}

type signingStream struct {
	*signingBatch
	stream StreamSender
}

// SendAsync implements StreamSender: a message that cannot be signed
// fails at once.
func (ss *signingStream) SendAsync(ctx context.Context, m Outgoing, report func(error)) {
	data := m.Data
	if data == nil && m.Body != nil {
		data = m.Body.AppendTo(nil)
	}
	out, err := ss.s.Sign(make([]byte, 0, len(data)+1024), data)
	if err != nil {
		report(fmt.Errorf("sign: %w", err))
		return
	}
	m.Data, m.Body = out, nil
	ss.stream.SendAsync(ctx, m, report)
}

type signingBatch struct {
	*signingTransport
	b BatchSender
}

// SendBatch implements BatchSender: a message that cannot be signed fails
// alone, and the rest go to the transport as one batch.
func (sb *signingBatch) SendBatch(ctx context.Context, msgs []Outgoing) []error {
	errs := make([]error, len(msgs))
	signed := make([]Outgoing, 0, len(msgs))
	at := make([]int, 0, len(msgs)) // signed[j] is msgs[at[j]]
	for i, m := range msgs {
		data := m.Data
		if data == nil && m.Body != nil {
			data = m.Body.AppendTo(nil)
		}
		out, err := sb.s.Sign(make([]byte, 0, len(data)+1024), data)
		if err != nil {
			errs[i] = fmt.Errorf("sign: %w", err)
			continue
		}
		m.Data, m.Body = out, nil
		signed = append(signed, m)
		at = append(at, i)
	}
	for j, err := range sb.b.SendBatch(ctx, signed) {
		errs[at[j]] = err
	}
	return errs
}

type signingTransport struct {
	t Transport
	s Signer
}

// Send implements Transport.
func (st *signingTransport) Send(ctx context.Context, from string, to []string, msg []byte) error {
	signed, err := st.s.Sign(make([]byte, 0, len(msg)+1024), msg)
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	return st.t.Send(ctx, from, to, signed)
}

// setSigner makes cm's messages signed by s, after checking that s signs
// one: a message s refuses fails here, for the whole campaign, rather
// than when a connection composes it (Composer cannot fail).
func (cm *CampaignMessage) setSigner(s Signer) error {
	if s == nil {
		return nil
	}
	if _, err := s.Sign(nil, cm.compose(nil, Personal{Email: "check@example.com", Name: "Check"})); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	cm.signer = s
	return nil
}

// signed appends p's message, signed, to dst. Signing cannot fail for a
// message setSigner's check passed, since the fields filled in are checked
// (checkPersonal); should it all the same, the message goes unsigned
// rather than not at all, as it would without a key.
func (cm *CampaignMessage) signed(dst []byte, p Personal) []byte {
	bp := signBufs.Get().(*[]byte)
	msg := cm.compose((*bp)[:0], p)
	out, err := cm.signer.Sign(dst, msg)
	if err != nil {
		out = append(dst, msg...)
	}
	*bp = msg
	signBufs.Put(bp)
	return out
}

// signBufs hold messages composed to be signed: the signature goes in
// front, so the message is composed aside first and copied after it.
var signBufs = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}
