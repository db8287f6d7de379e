package tracking

import (
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// row is one hit as stored.
type row struct {
	kind            itemKind
	campaign        int64
	link            int
	delivery, pseud sql.NullInt64
	at              time.Time
	reason          string
}

// classify turns a hit into its row: the machine reason, the delivery
// when the mode keeps it, the pseudonym, and for a click that shows a
// burst, where the burst started.
func (r *Recorder) classify(it item) (row, *burstStart) {
	h := it.hit
	rw := row{kind: it.kind, campaign: h.Campaign, link: h.Link, at: h.At.UTC().Truncate(time.Microsecond)}
	if it.kind == kindOpen {
		rw.reason = ClassifyOpen(h.Method, h.UserAgent)
	} else {
		rw.reason = ClassifyClick(h.Method, h.UserAgent)
	}
	if h.Delivery == 0 {
		return rw, nil
	}
	rw.pseud = sql.NullInt64{Int64: r.pseudonym(h.Campaign, h.Delivery), Valid: true}
	if h.Mode == On {
		rw.delivery = sql.NullInt64{Int64: h.Delivery, Valid: true}
	}
	if it.kind != kindClick {
		return rw, nil
	}
	burst, since := r.bursts.observe(h.Campaign, h.Delivery, h.Link, h.Links, rw.at)
	if burst && rw.reason == "" {
		rw.reason = ReasonBurst
	}
	if !since.IsZero() {
		return rw, &burstStart{campaign: h.Campaign, pseud: rw.pseud.Int64, since: since}
	}
	return rw, nil
}

// pseudonym is the reader's key for counting unique readers of one
// campaign: 8 bytes of an HMAC of campaign and delivery.
func (r *Recorder) pseudonym(campaign, delivery int64) int64 {
	var buf [16]byte
	binary.BigEndian.PutUint64(buf[:8], uint64(campaign))
	binary.BigEndian.PutUint64(buf[8:], uint64(delivery))
	r.mac.Reset()
	r.mac.Write(buf[:])
	var sum [sha256.Size]byte
	return int64(binary.BigEndian.Uint64(r.mac.Sum(sum[:0])))
}

// clickChunks are the sizes of the multi-row INSERTs a batch of clicks is
// cut into: a few fixed statements, which the connection keeps prepared,
// and few calls into SQLite per click.
var clickChunks = []int{64, 16, 4, 1}

const clickColumns = `INSERT INTO clicks (campaign_id, link_idx, delivery_id, clicker, at, machine, reason) VALUES `

// clickValues looks the delivery up: one erased or folded away since the
// mail went is no longer there, and its click counts without it. The
// delivery must be the campaign's own: once the newest deliveries are
// gone their ids are given out again, to another campaign's readers.
const clickValues = `(?, ?, (SELECT id FROM deliveries WHERE id = ? AND campaign_id = ?), ?, ?, ?, ?)`

var clickInserts = func() map[int]string {
	m := map[int]string{}
	for _, n := range clickChunks {
		m[n] = clickColumns + strings.Repeat(clickValues+", ", n-1) + clickValues
	}
	return m
}()

func insertRows(tx *sql.Tx, rows []row) error {
	var clicks []row
	for _, rw := range rows {
		if rw.kind == kindClick {
			clicks = append(clicks, rw)
			continue
		}
		if _, err := tx.Exec(`INSERT INTO opens (campaign_id, delivery_id, opener, at, machine, reason) VALUES (?1, (SELECT id FROM deliveries WHERE id = ?2 AND campaign_id = ?1), ?3, ?4, ?5, ?6)`,
			rw.campaign, rw.delivery, rw.pseud, rw.at, rw.reason != "", rw.reason); err != nil {
			return fmt.Errorf("record an open of campaign %d: %w", rw.campaign, err)
		}
	}
	args := make([]any, 0, 8*clickChunks[0])
	for _, n := range clickChunks {
		for len(clicks) >= n {
			args = args[:0]
			for _, rw := range clicks[:n] {
				args = append(args, rw.campaign, rw.link, rw.delivery, rw.campaign, rw.pseud, rw.at, rw.reason != "", rw.reason)
			}
			if _, err := tx.Exec(clickInserts[n], args...); err != nil {
				return fmt.Errorf("record clicks of campaign %d: %w", clicks[0].campaign, err)
			}
			clicks = clicks[n:]
		}
	}
	return nil
}

// flagBursts marks as machine the clicks of each burst stored before it
// showed, in earlier batches or this one, and returns them as machine
// counts per link: people's clicks that link.clicked takes back out of
// what it has not sent yet.
func flagBursts(tx *sql.Tx, retro []burstStart) ([]LinkCount, error) {
	var back []LinkCount
	for _, b := range retro {
		rows, err := tx.Query(`UPDATE clicks SET machine = 1, reason = 'burst' WHERE campaign_id = ? AND clicker = ? AND at >= ? AND machine = 0 RETURNING link_idx`,
			b.campaign, b.pseud, b.since)
		if err != nil {
			return nil, fmt.Errorf("flag a burst of campaign %d: %w", b.campaign, err)
		}
		for rows.Next() {
			var link int
			if err := rows.Scan(&link); err != nil {
				rows.Close()
				return nil, fmt.Errorf("flag a burst of campaign %d: %w", b.campaign, err)
			}
			back = append(back, LinkCount{Campaign: b.campaign, Link: link, Machine: 1})
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("flag a burst of campaign %d: %w", b.campaign, err)
		}
	}
	return back, nil
}

func linkCounts(rows []row) []LinkCount {
	type key struct {
		campaign int64
		link     int
	}
	idx := map[key]int{}
	var out []LinkCount
	for _, rw := range rows {
		if rw.kind != kindClick {
			continue
		}
		k := key{rw.campaign, rw.link}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, LinkCount{Campaign: rw.campaign, Link: rw.link})
		}
		out[i].Clicks++
		if rw.reason != "" {
			out[i].Machine++
		}
	}
	return out
}
