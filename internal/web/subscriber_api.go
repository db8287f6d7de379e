package web

import (
	"cmp"
	"context"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/subscribers"
)

func (s *Server) listSubscribers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := subscribers.Filter{Q: q.Get("q"), List: q.Get("list"), Status: q.Get("status")}
	var err error
	f.List, err = s.listFilter(r.Context(), f.List)
	if err == nil {
		f.After, f.Limit, err = keyset(q.Get("after"), q.Get("limit"))
	}
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	items, next, err := s.Subscribers.List(r.Context(), f)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, newPage(items, next))
}

// createSubscriber adds a reader as the admin's Add does: on at least
// one list, once there is one (refuseNoList), and, pending, mailed the
// confirmation a signup gets; confirmed or any other status, nothing is
// mailed.
func (s *Server) createSubscriber(w http.ResponseWriter, r *http.Request) {
	var in subscribers.NewSubscriber
	var sub *subscribers.Subscriber
	body, err := decodeJSONBody(r, &in)
	if err != nil {
		err = s.newSubscriberRest(r.Context(), body, err, &in)
	} else {
		err = s.refuseNoList(r.Context(), &in)
	}
	if err == nil {
		sub, err = s.Subscribers.Create(r.Context(), &in)
	}
	if bulletin.ErrorCode(err) == bulletin.ECONFLICT {
		err = s.namedConflict(r.Context(), err, in.Email, 0)
	}
	if err != nil {
		writeError(w, r, s.Log, s.withListFaults(r.Context(), err, in.Lists))
		return
	}
	if sub.Status == subscribers.StatusPending {
		// Without it the reader stays pending for good: the API has no
		// other way to ask them, and they get nothing until they click.
		if err := s.Subscribers.QueueConfirm(r.Context(), sub.ID, s.Confirms); err != nil {
			// The row is flagged: the reconciler sends it within minutes.
			s.Log.Warn("queue confirmation", "subscriber", sub.ID, "err", err)
		}
	}
	writeJSON(w, http.StatusCreated, sub)
}

// apiNoList is the lists' fault of an API add that would put a reader to
// be mailed on no list, in the API's words for the admin's noListMessage.
const apiNoList = "choose at least one list: a reader on no list gets no mail"

// refuseNoList refuses, as the admin's Add does, to add a pending or
// confirmed reader on no list while there is a list to choose: a pending
// one would be asked to confirm nothing, a confirmed one would get no
// mail. Only an install with no list yet adds them so. The refusal names
// the other fields at fault too (NewSubscriber.Check). A reader added
// unsubscribed or bounced is on no list by right.
func (s *Server) refuseNoList(ctx context.Context, in *subscribers.NewSubscriber) error {
	if slices.ContainsFunc(in.Lists, func(slug string) bool { return strings.TrimSpace(slug) != "" }) {
		return nil
	}
	if in.Status != "" && in.Status != subscribers.StatusPending && in.Status != subscribers.StatusConfirmed {
		return nil
	}
	lists, err := s.Subscribers.Lists(ctx)
	if err != nil || len(lists) == 0 {
		return err
	}
	fields := maps.Clone(bulletin.ErrorFields(in.Check()))
	if fields == nil {
		fields = map[string]string{}
	}
	fields["lists"] = apiNoList
	return bulletin.Invalid(fields)
}

// newSubscriberRest is err, the refusal of a new subscriber's body some
// members of which are at fault as JSON (a member no subscriber has, an
// attribute of the wrong kind), with what the add would refuse of the
// members that are not (refuseNoList, NewSubscriber.Check): an address
// that is none, a status unknown. in becomes the rest, whose lists the
// caller names when unknown (withListFaults). err is returned as it is
// when it names no member.
func (s *Server) newSubscriberRest(ctx context.Context, body []byte, err error, in *subscribers.NewSubscriber) error {
	var rest subscribers.NewSubscriber
	fields, ok := bodyRest(body, err, &rest)
	if !ok {
		return err
	}
	cerr := s.refuseNoList(ctx, &rest)
	if cerr == nil {
		cerr = rest.Check()
	}
	*in = rest
	return withFaults(fields, cerr, &rest)
}

// subscriberPatchRest is newSubscriberRest for the PATCH of subscriber
// id, the rest checked as Update checks it (CheckPatch); p becomes the
// rest. A reader gone is the save's to say: err names only its fields.
func (s *Server) subscriberPatchRest(ctx context.Context, body []byte, err error, id int64, p *subscribers.Patch) error {
	var rest subscribers.Patch
	fields, ok := bodyRest(body, err, &rest)
	if !ok {
		return err
	}
	*p = rest
	return withFaults(fields, s.Subscribers.CheckPatch(ctx, id, &rest), &rest)
}

// namedConflict is err, the conflict over email of Create (self 0) or of
// Update of reader self, naming the reader who has the address, so that
// a client retrying an add goes on with them, and one changing an address
// sees whom it would have taken it from: the API is a token's, which may
// read every reader anyway, so naming one tells it nothing it could not
// list. An erased address, or one whose reader was erased meanwhile,
// keeps err's words.
func (s *Server) namedConflict(ctx context.Context, err error, email string, self int64) error {
	sub, gerr := s.Subscribers.ByEmail(ctx, email)
	if gerr != nil {
		if bulletin.ErrorCode(gerr) != bulletin.ENOTFOUND {
			s.Log.Error("subscriber: read the reader with the address", "err", gerr)
		}
		return err
	}
	if sub.ID == self {
		return err // their own address: the conflict was its erasure
	}
	words := "A subscriber with this address exists already"
	if self != 0 {
		words = "Another subscriber has this address" // Update's words
	}
	return bulletin.Errorf(bulletin.ECONFLICT, "%s: subscriber %d (/api/v1/subscribers/%d).", words, sub.ID, sub.ID)
}

// withListFaults adds to err, a 422 that names fields at fault but not
// "lists", the slugs that name no list. The store looks lists up only
// once the other fields are right, and the decoder not at all: without
// this a client that fixed the address would meet the unknown list next,
// where the signup names both at once. Any other error is left as it is.
func (s *Server) withListFaults(ctx context.Context, err error, slugs []string) error {
	fields := bulletin.ErrorFields(err)
	if _, named := fields["lists"]; fields == nil || named || len(slugs) == 0 {
		return err
	}
	lerr := s.Subscribers.UnknownLists(ctx, slugs)
	why, ok := bulletin.ErrorFields(lerr)["lists"]
	if !ok {
		if lerr != nil {
			// The fields' own answer is still true, just not whole.
			s.Log.Error("subscriber: read the lists", "err", lerr)
		}
		return err
	}
	all := maps.Clone(fields)
	all["lists"] = why
	return bulletin.Invalid(all)
}

// pathID reads the {id} of the route; an admin page answers a bad one
// as not found.
func pathID(r *http.Request) (int64, bool) {
	id, err := parseID(r.PathValue("id"))
	return id, err == nil
}

// parseID reads an id written as ids are: digits, the first not 0. No
// sign, no leading zero, no space: /subscribers/01 and /subscribers/+1
// are not reader 1, whom a DELETE would erase. An id of more digits
// than any id has is errIDTooLarge.
func parseID(s string) (int64, error) {
	if s == "" || s[0] < '1' || s[0] > '9' {
		return 0, errBadID
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errBadID
		}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errIDTooLarge
	}
	return id, nil
}

// apiID reads the {id} of an API route. A bad one is a 422 naming it, as
// the OpenAPI document declares it an integer of 1 or more: "abc" is a
// client's mistake to fix, not an object that is gone.
func apiID(r *http.Request) (int64, error) {
	return parseID(r.PathValue("id"))
}

var (
	errBadID      = bulletin.Invalid(map[string]string{"id": "use a whole number of 1 or more"})
	errIDTooLarge = bulletin.Invalid(map[string]string{"id": "is too large: no id is over 9223372036854775807, so there is no such id"})
)

func (s *Server) getSubscriber(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	sub, err := s.Subscribers.Get(r.Context(), id)
	if err == nil {
		err = s.frequencyPending(r.Context(), sub)
	}
	var answer *subscriberAnswer
	if err == nil {
		answer, err = s.subscriberAnswer(r.Context(), sub)
	}
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, answer)
}

// A subscriberAnswer is a reader as the answers about one reader give
// them: with the suppression list's entry that keeps mail from them, if
// any. A reader set back to confirmed after a complaint, or put on lists,
// still gets no mail while their address or domain is on the list, and
// the answer said nothing of it (a tester's PATCH): the admin's page of
// the reader says it, and so does this.
type subscriberAnswer struct {
	*subscribers.Subscriber
	Suppression *events.Suppression `json:"suppression,omitempty"`
}

// subscriberAnswer is sub with its suppression, read now.
func (s *Server) subscriberAnswer(ctx context.Context, sub *subscribers.Subscriber) (*subscriberAnswer, error) {
	a := &subscriberAnswer{Subscriber: sub}
	if s.Events == nil {
		return a, nil
	}
	var err error
	a.Suppression, err = s.Events.SuppressionOf(ctx, sub.Email)
	return a, err
}

// frequencyPending fills sub.FrequencyPending, with when each list's next
// digest of the reader's new frequency is due, in UTC. Only the answers
// about one reader carry it: on the pages of GET /api/v1/subscribers it
// would cost a query a row.
func (s *Server) frequencyPending(ctx context.Context, sub *subscribers.Subscriber) error {
	now := time.Now()
	var err error
	var nextErr error
	sub.FrequencyPending, err = s.Subscribers.FrequencyPending(ctx, sub.ID, func(l *subscribers.List, cadence string) time.Time {
		if s.Campaigns != nil {
			// The digest the scheduler will send: on the day a list's hour
			// changed after its digest went out, not one never sent.
			next, err := s.Campaigns.NextScheduled(ctx, l.Slug, cadence, now)
			if err == nil {
				return next.UTC()
			}
			nextErr = err
		}
		return campaigns.NextDigest(now, cadence, l.DigestHour, l.DigestWeekday, l.Timezone).UTC()
	})
	return cmp.Or(err, nextErr)
}

func (s *Server) patchSubscriber(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	var p subscribers.Patch
	var sub *subscribers.Subscriber
	body, err := decodeJSONBody(r, &p)
	if err != nil {
		err = s.subscriberPatchRest(r.Context(), body, err, id, &p)
	} else {
		sub, err = s.Subscribers.Update(r.Context(), id, &p)
	}
	if bulletin.ErrorCode(err) == bulletin.ECONFLICT && p.Email != nil {
		// Update's conflicts are the new address's, as Create's are.
		err = s.namedConflict(r.Context(), err, *p.Email, id)
	} else if fields := bulletin.ErrorFields(err); bulletin.ErrorCode(err) == bulletin.EINVALID && fields != nil {
		// Update checks the address only once the other fields pass:
		// one taken is named with them, not on the next call.
		if more, terr := s.withTakenAddress(r.Context(), fields, p.Email, id); terr != nil {
			s.Log.Error("subscriber: read the reader with the address", "err", terr)
		} else if more["email"] != fields["email"] {
			// In the API's words: lower case, and naming the reader.
			more["email"] = strings.TrimSuffix(strings.ToLower(more["email"][:1])+more["email"][1:], ".")
			if sub, gerr := s.Subscribers.ByEmail(r.Context(), *p.Email); gerr == nil && sub.ID != id {
				more["email"] = "another subscriber has this address: subscriber " + strconv.FormatInt(sub.ID, 10) + " (/api/v1/subscribers/" + strconv.FormatInt(sub.ID, 10) + ")"
			}
			err = bulletin.Invalid(more)
		}
	}
	if err != nil {
		var lists []string
		if p.Lists != nil {
			lists = *p.Lists
		}
		writeError(w, r, s.Log, s.withListFaults(r.Context(), err, lists))
		return
	}
	// The change is saved: a failure to read what is pending leaves the
	// field out rather than answer that it failed.
	if perr := s.frequencyPending(r.Context(), sub); perr != nil {
		s.Log.Error("subscriber: read the pending frequency", "subscriber", id, "err", perr)
	}
	answer, serr := s.subscriberAnswer(r.Context(), sub)
	if serr != nil {
		s.Log.Error("subscriber: read the suppression list", "subscriber", id, "err", serr)
	}
	writeJSON(w, http.StatusOK, answer)
}

// eraseSubscriber removes the person's data for good and answers 204.
func (s *Server) eraseSubscriber(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	if err := s.Subscribers.Erase(r.Context(), id); err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) exportSubscriber(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	exp, err := s.Subscribers.ExportOf(r.Context(), id)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	// A person's data, as the CSV reports: no cache on the way keeps it.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", `attachment; filename="subscriber-`+strconv.FormatInt(id, 10)+`.json"`)
	writeJSON(w, http.StatusOK, exp)
}
