package mailer

import "testing"

// Each relay's acceptance of a message reads as the id that relay's
// events name the message by, and a reply without one as "".
func TestRelayID(t *testing.T) {
	cases := []struct{ name, reply, want string }{
		{"postfix", "2.0.0 Ok: queued as 4Xb9Zk1Qz3z5", "4Xb9Zk1Qz3z5"},
		{"postfix without status", "Ok: queued as 224B824BD40", "224B824BD40"},
		{"ses", "Ok 0100018c7f1c5a3b-2a5d3c4e-1b2c-4a5b-9c8d-0123456789ab-000000", "0100018c7f1c5a3b-2a5d3c4e-1b2c-4a5b-9c8d-0123456789ab-000000"},
		{"ses with status", "2.0.0 Ok 0100018c7f1c5a3b-2a5d3c4e-1b2c-4a5b-9c8d-0123456789ab-000001", "0100018c7f1c5a3b-2a5d3c4e-1b2c-4a5b-9c8d-0123456789ab-000001"},
		{"ok and a word", "2.0.0 Ok thanks", ""},
		{"ses id among words", "Message 0100018c7f1c5a3b-2a5d3c4e-1b2c-4a5b-9c8d-0123456789ab-000001 taken, Ok", ""},
		{"sendgrid", "Ok: queued as nhIMmON9SFOPcT0ii4nt2A", "nhIMmON9SFOPcT0ii4nt2A"},
		{"postmark uuid", "2.0.0 Ok: queued as 5b1f3c2e-0a4d-4e8f-9c61-2d7a1f000001", "5b1f3c2e-0a4d-4e8f-9c61-2d7a1f000001"},
		{"exim", "OK id=1rAbCd-0001Xy-Ab", "1rAbCd-0001Xy-Ab"},
		{"angle brackets", "2.0.0 Ok: queued as <ABC123@relay.example>", "ABC123@relay.example"},
		{"trailing text", "2.6.0 message accepted, queued as 9F04854013C; thank you", "9F04854013C"},
		{"multi-line", "2.0.0 Ok\nqueued as QWERTY12", "QWERTY12"},
		{"plain ok", "2.0.0 Ok", ""},
		{"mailgun", "Great success", ""},
		{"gmail", "2.0.0 OK  1571601091 d44si1315748ede.149 - gsmtp", ""},
		{"empty", "", ""},
		{"queued as nothing", "Ok: queued as", ""},
		{"id= nothing", "OK id=", ""},
		{"too long", "Ok: queued as " + longID, ""},
		{"control bytes", "Ok: queued as ab\x00cd", ""},
	}
	for _, c := range cases {
		if got := RelayID(c.reply); got != c.want {
			t.Errorf("%s: RelayID(%q) = %q, want %q", c.name, c.reply, got, c.want)
		}
	}
}

var longID = func() string {
	b := make([]byte, 200)
	for i := range b {
		b[i] = 'a'
	}
	return string(b)
}()

// Reading the id costs no allocation: it runs for every message sent.
func TestRelayIDAllocs(t *testing.T) {
	for _, reply := range []string{"2.0.0 Ok: queued as 4Xb9Zk1Qz3z5", "OK id=1rAbCd-0001Xy-Ab", "2.0.0 OK: queued"} {
		if n := testing.AllocsPerRun(100, func() { RelayID(reply) }); n != 0 {
			t.Errorf("RelayID(%q) allocates %v times", reply, n)
		}
	}
}
