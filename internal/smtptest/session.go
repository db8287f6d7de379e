package smtptest

import (
	"errors"
	"io"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

var (
	errTempFail   = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	errNoUser     = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	errNestedMail = &smtp.SMTPError{Code: 503, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "Error: nested MAIL command"}
	errDropped    = errors.New("smtptest: connection dropped during DATA")
	errBye        = errors.New("smtptest: said 421 and hung up")
)

// session is one SMTP conversation; go-smtp calls it from one goroutine.
type session struct {
	s        *Server
	conn     *smtp.Conn
	authed   bool
	from     string
	to       []string
	accepted int
}

var _ smtp.AuthSession = (*session)(nil)

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: s, conn: c}, nil
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.cfg.user == "" {
		return nil
	}
	return ss.s.cfg.mechs
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if user != ss.s.cfg.user || pass != ss.s.cfg.pass {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}
	for _, m := range ss.AuthMechanisms() {
		if !strings.EqualFold(m, mech) {
			continue
		}
		switch strings.ToUpper(mech) {
		case "PLAIN":
			return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
		case "LOGIN":
			return &loginServer{check: check}, nil
		}
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	f := ss.s.Faults()
	if ss.s.cfg.user != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	if f.ByeAfter > 0 && ss.accepted >= f.ByeAfter {
		// go-smtp cannot close after a reply, so write it ourselves.
		c := ss.conn.Conn()
		io.WriteString(c, "421 4.3.2 Enough for this connection, bye\r\n")
		c.Close()
		return errBye
	}
	ss.s.stall()
	if f.NestedMail && ss.from != "" {
		return errNestedMail
	}
	ss.from, ss.to = from, nil
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	f := ss.s.Faults()
	if f.RejectRcpt != nil {
		return f.RejectRcpt
	}
	if f.RejectDomain != "" && strings.EqualFold(domain(to), f.RejectDomain) {
		return errNoUser
	}
	if f.TempFailDomain != "" && strings.EqualFold(domain(to), f.TempFailDomain) {
		return errTempFail
	}
	for _, addr := range f.TempFailTo {
		if strings.EqualFold(addr, to) {
			return errTempFail
		}
	}
	if ss.s.hit("rcpt", to, f.TempFailRate) {
		return errTempFail
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	if ss.s.hit("data", ss.to[0], ss.s.Faults().DropDataRate) {
		io.CopyN(io.Discard, r, 64)
		ss.conn.Conn().Close()
		return errDropped
	}
	var data []byte
	var size int64
	var err error
	if ss.s.cfg.discard {
		size, err = io.Copy(io.Discard, r)
	} else {
		data, err = io.ReadAll(r)
		size = int64(len(data))
	}
	if err != nil {
		return err
	}
	if refusal := ss.s.Faults().RejectData; refusal != nil {
		return refusal
	}
	_, encrypted := ss.conn.TLSConnectionState()
	m := Message{From: ss.from, To: ss.to, Data: data, TLS: encrypted}
	ss.s.record(m, size)
	ss.accepted++
	if f := ss.s.cfg.accept; f != nil {
		return &smtp.SMTPError{Code: 250, EnhancedCode: smtp.EnhancedCode{2, 0, 0}, Message: f(m)}
	}
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

func domain(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}

// loginServer is the server side of the obsolete but common LOGIN
// mechanism, which go-sasl does not provide: a username challenge (unless
// the client sent the name with AUTH), then a password challenge.
type loginServer struct {
	check    func(user, pass string) error
	user     string
	asked    bool // "Username:" was sent
	haveUser bool
}

func (l *loginServer) Next(resp []byte) (challenge []byte, done bool, err error) {
	switch {
	case resp == nil && !l.asked && !l.haveUser:
		l.asked = true
		return []byte("Username:"), false, nil
	case !l.haveUser:
		l.user, l.haveUser = string(resp), true
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.user, string(resp))
	}
}
