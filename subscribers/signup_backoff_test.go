package subscribers

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

// ageMailBy moves the last confirmation mail to addr back by d, and the
// address's request with it, as if d had passed since they were made.
func (e *signupEnv) ageMailBy(addr string, d time.Duration) {
	e.t.Helper()
	var at time.Time
	if err := e.store.db.Read.QueryRow(`SELECT confirm_sent_at FROM subscribers WHERE email_key = ?`, EmailKey(addr)).Scan(&at); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.store.db.Write.Exec(`UPDATE subscribers SET confirm_sent_at = ? WHERE email_key = ?`, at.Add(-d), EmailKey(addr)); err != nil {
		e.t.Fatal(err)
	}
	var id int64
	var req time.Time
	err := e.store.db.Read.QueryRow(`SELECT r.subscriber_id, r.requested_at FROM signup_requests r JOIN subscribers s ON s.id = r.subscriber_id
		WHERE s.email_key = ?`, EmailKey(addr)).Scan(&id, &req)
	if err == nil {
		_, err = e.store.db.Write.Exec(`UPDATE signup_requests SET requested_at = ? WHERE subscriber_id = ?`, req.Add(-d), id)
	}
	if err != nil && err != sql.ErrNoRows {
		e.t.Fatal(err)
	}
}

// Someone signing a stranger's address up again each time ConfirmInterval
// is over gets it mailed less and less often: the wait doubles with each
// mail no one answered, up to a day. Over a day of trying every ten
// minutes (144 tries) the address gets 8 mails, not 144, and one the
// next day.
func TestSignupBacksOffUnansweredConfirmations(t *testing.T) {
	e := newSignupEnv(t)
	const addr = "victim@example.com"
	step := ConfirmInterval + time.Second
	var mailedAt []int // the tries that sent a mail
	for try := 0; try < 144+144; try++ {
		if try > 0 {
			e.ageMailBy(addr, step)
		}
		e.signup(&Signup{Email: addr, Lists: []string{"sport"}})
		if text, _ := e.takeMail(addr); text != "" {
			mailedAt = append(mailedAt, try)
		}
	}
	// Waits of 10, 20, 40 … 1280 minutes, then a day: a try every ten
	// minutes and a second sends at tries 0, 1, 3, 7, 15, 31, 63, 127
	// (the first day), 255, then each 144 later.
	want := []int{0, 1, 3, 7, 15, 31, 63, 127, 255}
	if len(mailedAt) != len(want) {
		t.Fatalf("mails at tries %v, want %v", mailedAt, want)
	}
	for i := range want {
		if mailedAt[i] != want[i] {
			t.Fatalf("mails at tries %v, want %v", mailedAt, want)
		}
	}
}

// A reader who follows the link ends the backing off: their next signup
// (for another list), 11 minutes after the last mail, is mailed as a
// second one would be.
func TestSignupBackoffEndsWhenReaderConfirms(t *testing.T) {
	e := newSignupEnv(t)
	if err := e.store.CreateList(context.Background(), &List{Slug: "arts", Name: "Arts", Public: true}); err != nil {
		t.Fatal(err)
	}
	const addr = "slow@example.com"
	var token string
	for _, age := range []time.Duration{0, 11 * time.Minute, 21 * time.Minute} {
		if age > 0 {
			e.ageMailBy(addr, age)
		}
		e.signup(&Signup{Email: addr, Lists: []string{"sport"}})
		text, tok := e.takeMail(addr)
		if text == "" {
			t.Fatalf("no mail %v after the last", age)
		}
		token = tok
	}
	// The wait is 40 minutes now, but the reader answers.
	if _, err := e.click(token); err != nil {
		t.Fatal(err)
	}
	e.ageMailBy(addr, 11*time.Minute)
	e.signup(&Signup{Email: addr, Lists: []string{"arts"}})
	e.takeMail(addr) // held within the interval, maybe due
	e.ageMailBy(addr, 11*time.Minute)
	if _, err := e.store.db.Write.Exec(`DELETE FROM signup_requests`); err != nil {
		t.Fatal(err)
	}
	e.signup(&Signup{Email: addr, Lists: []string{"arts"}})
	if text, _ := e.takeMail(addr); text == "" {
		t.Fatal("a reader who confirmed waits longer than ConfirmInterval for their next mail")
	}
}

// While the wait is longer than ConfirmInterval, a signup naming a list
// no mail has named leaves no mail due: the reconciler would send it once
// ConfirmInterval is over, and naming another list each time would mail
// the address every ten minutes again. The last mail's link applies the
// list.
func TestSignupBackoffLeavesNoMailDue(t *testing.T) {
	e := newSignupEnv(t)
	if err := e.store.CreateList(context.Background(), &List{Slug: "arts", Name: "Arts", Public: true}); err != nil {
		t.Fatal(err)
	}
	const addr = "target@example.com"
	e.signup(&Signup{Email: addr, Lists: []string{"sport"}})
	e.takeMail(addr)
	e.ageMailBy(addr, 11*time.Minute)
	e.signup(&Signup{Email: addr, Lists: []string{"sport"}})
	if text, _ := e.takeMail(addr); text == "" {
		t.Fatal("no second mail 11 minutes after the first")
	}
	e.ageMailBy(addr, 11*time.Minute) // the wait is 20 minutes now
	e.signup(&Signup{Email: addr, Lists: []string{"arts"}})
	e.reconcile()
	if text, _ := e.takeMail(addr); text != "" {
		t.Fatalf("a signup for another list 11 minutes into a 20-minute wait was mailed:\n%s", text)
	}
	var lists string
	if err := e.store.db.Read.QueryRow(`SELECT r.lists FROM signup_requests r JOIN subscribers s ON s.id = r.subscriber_id
		WHERE s.email_key = ?`, EmailKey(addr)).Scan(&lists); err != nil {
		t.Fatalf("the signup's request: %v", err)
	}
	if lists == "[]" {
		t.Errorf("the request holds no list: %s", lists)
	}
}

// A mail a held signup left due counts toward the backing off as a mail a
// signup sends does. Someone signing a stranger up for another list a
// minute after each mail had it mailed every ConfirmInterval, one mail for
// each list there is: each signup was held, left a mail due, and the due
// mail left the count where it was. Now the due mail is the second, and
// the next signup waits 20 minutes, then 40, as in
// TestSignupBacksOffUnansweredConfirmations.
func TestSignupBackoffCountsTheMailLeftDue(t *testing.T) {
	e := newSignupEnv(t)
	lists := []string{"sport"}
	for _, slug := range []string{"arts", "books", "cars", "dance", "earth"} {
		if err := e.store.CreateList(context.Background(), &List{Slug: slug, Name: slug, Public: true}); err != nil {
			t.Fatal(err)
		}
		lists = append(lists, slug)
	}
	const addr = "stranger@example.com"
	var mailedAt []int // the minutes that sent a mail
	next := 0          // the list the next signup names
	for minute := 0; minute <= 90; minute++ {
		if minute > 0 {
			e.ageMailBy(addr, time.Minute)
		}
		// A signup a minute after each mail, naming a list no mail named.
		if minute == 0 || len(mailedAt) > 0 && minute == mailedAt[len(mailedAt)-1]+1 {
			e.signup(&Signup{Email: addr, Lists: []string{lists[next%len(lists)]}})
			next++
		}
		e.reconcile()
		if text, _ := e.takeMail(addr); text != "" {
			mailedAt = append(mailedAt, minute)
		}
	}
	// The first mail; the one the signup of minute 1 left due, once ten
	// minutes are over; then none due, so none until a signup comes after
	// the 20-minute wait, which this one does not.
	want := []int{0, 10}
	if len(mailedAt) != len(want) || mailedAt[0] != want[0] || mailedAt[1] != want[1] {
		t.Fatalf("mails at minutes %v, want %v", mailedAt, want)
	}
}
