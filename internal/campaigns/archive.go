package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/mailer"
)

// An Issue is a campaign or digest in the public archive: one that has
// gone out to at least one public list.
type Issue struct {
	ID      int64
	Kind    string // campaign or digest
	Subject string
	Lists   []string // names of its public lists
	// SentAt is when the issue started going out: when its first readers
	// got it, for one cancelled midway too. Its last delivery says only
	// when the sending stopped, and its row is folded away with the rest
	// after the delivery retention, while started_at is set once and kept.
	SentAt time.Time
	// Language is the BCP 47 tag of the language the issue was sent in
	// ("en" for English), kept when it started sending; "" for one whose
	// language was not kept, which is read in the language set now.
	Language string
	BodyHTML string // only from ArchiveIssue
	// Sending says the issue is still going out (or paused): its page
	// shows before it is listed (issueWhere). Only from ArchiveIssue.
	Sending bool
	// SendZone is the zone the issue's send time was chosen in, kept when
	// it went out at that time (Campaign.SendZone); "" otherwise.
	SendZone string
	// Zones are the time zones of every list the issue went to, private
	// ones too, each once: with SendZone, what its date is said in (a
	// digest's is its list's, as its mail's dates are).
	Zones []string
}

// archiveWhere selects archived issues, by what their readers got: sent
// to the end, or cancelled after at least one reader's mail went (as
// the campaign's stats count it, folded rows too), to a public list.
// One still sending or paused is not out yet: the archive lists it once
// it is.
const archiveWhere = `c.started_at IS NOT NULL
	AND (c.status = 'sent' OR (c.status = 'cancelled' AND (c.folded_sent > 0
		OR EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = c.id AND d.status = 'sent'))))
	AND ` + publicListWhere

// issueWhere selects the issues whose own page shows: the archived ones,
// and those to a public list that started sending and are sending or
// paused, whose mails link to their page already ("View in your
// browser", see Service.contents) while the last readers wait for theirs.
const issueWhere = `c.started_at IS NOT NULL
	AND (c.status IN ('sent', 'sending', 'paused') OR (c.status = 'cancelled' AND (c.folded_sent > 0
		OR EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = c.id AND d.status = 'sent'))))
	AND ` + publicListWhere

// publicListWhere holds for campaign c when it goes to a public list: an
// issue only such a list's readers get is never shown to the public.
const publicListWhere = `EXISTS (SELECT 1 FROM campaign_lists cl JOIN lists l ON l.id = cl.list_id WHERE cl.campaign_id = c.id AND l.public = 1)`

// Archive returns archived issues newest first: by when they were sent,
// then by id. before is the id of the last issue of the page before (0
// for the newest), and the before of the next page is returned (0 on the
// last one). An issue's sent time never changes once it has one, so the
// pages hold still while issues are added; a before that names no
// campaign that has started is not found.
func (s *Store) Archive(ctx context.Context, before int64, limit int) ([]*Issue, int64, error) {
	if limit <= 0 || limit > 100 {
		limit = 30
	}
	where, args := "", []any{}
	if before > 0 {
		var started bool
		err := s.db.Read.QueryRowContext(ctx, `SELECT started_at IS NOT NULL FROM campaigns WHERE id = ?`, before).Scan(&started)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !started) {
			return nil, 0, bulletin.Errorf(bulletin.ENOTFOUND, "No issue %d to page from.", before)
		} else if err != nil {
			return nil, 0, fmt.Errorf("archive: %w", err)
		}
		// Compared in SQL, as stored: UTC text, which orders as time.
		where, args = `(c.started_at, c.id) < (SELECT started_at, id FROM campaigns WHERE id = ?) AND `, []any{before}
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT c.id, c.kind, c.subject, c.started_at, c.language, c.send_zone FROM campaigns c
		WHERE `+where+archiveWhere+` ORDER BY c.started_at DESC, c.id DESC LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, 0, fmt.Errorf("archive: %w", err)
	}
	out, err := collect(rows, func(r scanner) (*Issue, error) {
		var is Issue
		err := r.Scan(&is.ID, &is.Kind, &is.Subject, &is.SentAt, &is.Language, &is.SendZone)
		is.SentAt = is.SentAt.UTC()
		return &is, err
	})
	if err != nil {
		return nil, 0, err
	}
	out, next := nextPage(out, limit, func(is *Issue) int64 { return is.ID })
	for _, is := range out {
		if is.Lists, is.Zones, err = s.issueLists(ctx, is.ID); err != nil {
			return nil, 0, err
		}
	}
	return out, next, nil
}

// ArchiveIssue returns one archived issue with its body as the public
// reads it (publicBody), or one still going out to a public list (see
// issueWhere). Anything else is not found.
func (s *Store) ArchiveIssue(ctx context.Context, id int64) (*Issue, error) {
	is := &Issue{ID: id}
	var body string
	err := s.db.Read.QueryRowContext(ctx, `SELECT c.kind, c.subject, c.started_at, c.language, c.body, c.body_html,
		c.status IN ('sending', 'paused'), c.send_zone FROM campaigns c
		WHERE c.id = ? AND `+issueWhere, id).Scan(&is.Kind, &is.Subject, &is.SentAt, &is.Language, &body, &is.BodyHTML, &is.Sending, &is.SendZone)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, bulletin.Errorf(bulletin.ENOTFOUND, "No issue %d in the archive.", id)
	} else if err != nil {
		return nil, fmt.Errorf("archive issue: %w", err)
	}
	is.SentAt = is.SentAt.UTC()
	// A campaign's body is rendered again, as its mail is (contents):
	// the copy stored with it was filled for a reader once called
	// "reader". One that no longer renders keeps that copy. A digest's is
	// its only one, and holds no personal field.
	if is.Kind == "campaign" {
		if html, err := archiveBodies.get(id, body); err == nil {
			is.BodyHTML = html
		}
	}
	if is.Lists, is.Zones, err = s.issueLists(ctx, id); err != nil {
		return nil, err
	}
	return is, nil
}

// InArchive reports whether campaign id is in the public archive, by the
// archive's own rule (archiveWhere), for the editor's page to link to it.
func (s *Store) InArchive(ctx context.Context, id int64) (bool, error) {
	var in bool
	err := s.db.Read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM campaigns c WHERE c.id = ? AND `+archiveWhere+`)`, id).Scan(&in)
	if err != nil {
		return false, fmt.Errorf("in archive: %w", err)
	}
	return in, nil
}

// archiveReader is who a campaign is stored for: a reader without a name
// or an address, who reads the fallbacks the editor wrote. The links
// with tokens are in the mail around the body, never in it.
var archiveReader = mailer.Personal{}

// publicBody renders a campaign's Markdown body for the archive's page,
// which no reader in particular reads: as the HTML part of the mail a
// reader without a name gets. It takes the mail's path, Render and then
// what Compose does for such a reader (mailer.Markers.Fill), so the two
// cannot drift apart: each fallback reads as the editor wrote it, a bare
// name goes with the space or comma before it ("Dear {{ .Name }},"
// reads "Dear,"), a possessive one reads "your", an element holding only
// the name goes, and a name in code or an attribute's value is empty.
func publicBody(body string) (string, error) {
	mk := mailer.NewMarkers()
	html, _, err := Render(body, mk)
	if err != nil {
		return "", err
	}
	return mk.Fill(html, archiveReader, true), nil
}

// issueLists is the names of the public lists campaign id went to, and
// the time zones of all its lists, each once.
func (s *Store) issueLists(ctx context.Context, id int64) (names, zones []string, err error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT l.name, l.public, l.timezone FROM campaign_lists cl JOIN lists l ON l.id = cl.list_id
		WHERE cl.campaign_id = ? ORDER BY `+listOrder, id)
	if err != nil {
		return nil, nil, fmt.Errorf("issue lists: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, zone string
		var public bool
		if err := rows.Scan(&name, &public, &zone); err != nil {
			return nil, nil, fmt.Errorf("issue lists: %w", err)
		}
		if public {
			names = append(names, name)
		}
		if !slices.Contains(zones, zone) {
			zones = append(zones, zone)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("issue lists: %w", err)
	}
	return names, zones, nil
}
