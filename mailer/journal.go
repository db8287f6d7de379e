package mailer

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
)

// A Journal makes the final result of a message (sent, bounced, failed)
// survive a kill -9 from the moment its reply is read, which the group
// commit to the Ledger, milliseconds later, does not: each result is
// copied into a shared memory map of a file on the connection's goroutine,
// before it goes to the recorder (where files cannot be mapped, appended
// with write(2), one write for those read meanwhile). The kernel keeps
// what was written to the map or the file when the process dies (only a
// power loss, which also drops the connection's unanswered messages,
// loses it), so nothing is synced. The map spares a system call per
// message: at 10,000 messages a second in this VM that was the largest
// cost the journal added (see docs/benchmarks.md).
//
// The journal is a redo log, and the Ledger stays the truth: at start-up,
// before any delivery is claimed, Replay hands what the journal holds to
// the ledger's Record, which is idempotent, and empties it. While the
// sender runs, the journal keeps two files and writes to one; once every
// result of the other is committed, that one is emptied and the two swap,
// so the files hold a few milliseconds of results however long a
// campaign runs.
type Journal struct {
	mu    sync.Mutex
	files [2]*os.File
	// mem maps each file (MAP_SHARED, Linux, its blocks written): a record
	// is then copied into the page cache with no system call, and a kill
	// loses it no more than a write(2). used is the bytes of records at
	// the start of each mapped file; zeros follow.
	mem  [2][]byte
	used [2]int
	cur  int    // the file appended to; the other holds older results
	pend [2]int // results of each file not yet committed
	size int64  // bytes appended to files[cur] since it was emptied
	// next holds each file's records not written yet: they go in one
	// write(2) by the add already writing, if any (see add).
	next    [2][]byte
	spare   []byte
	writing bool
	err     error // the first failed write or emptying: the journal is then off
	told    bool  // add has returned err
	// replayed says Replay has run: what the files hold since is this
	// run's, which Close may empty once it is all committed.
	replayed bool
	// lost marks a file holding results whose write to the ledger
	// failed: Close keeps it for the next start to replay.
	lost [2]bool
}

// A journaled result records which of the journal's files holds it.
type journaled int8

const notJournaled journaled = -1

// journalMap is the size each journal file is mapped at to begin with;
// a file grows by doubling when the ledger falls that far behind.
const journalMap = 4 << 20

// OpenJournal opens the journal whose files are path.0 and path.1,
// creating them when they are not there. What they hold is left for
// Replay.
func OpenJournal(path string) (*Journal, error) {
	j := &Journal{}
	for i := range j.files {
		f, err := os.OpenFile(fmt.Sprintf("%s.%d", path, i), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			j.Close()
			return nil, fmt.Errorf("open journal: %w", err)
		}
		j.files[i] = f
	}
	for i := range j.files {
		if err := j.mapFile(i, journalMap); err != nil {
			if err := j.fallBack(); err != nil {
				j.Close()
				return nil, fmt.Errorf("open journal: %w", err)
			}
			break
		}
		j.used[i] = recordsLen(j.mem[i])
	}
	return j, nil
}

// fallBack gives up the maps for write(2): each file is cut to its
// records, so that what is appended follows them and not the zeros of a
// map.
func (j *Journal) fallBack() error {
	j.unmap()
	for _, f := range j.files {
		data, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<62))
		if err != nil {
			return err
		}
		if err := f.Truncate(int64(recordsLen(data))); err != nil {
			return err
		}
	}
	return nil
}

// mapFile maps file i at size bytes at least, growing the file (with
// zeros) to that; j.mu is held or the journal not shared yet.
func (j *Journal) mapFile(i, size int) error {
	fi, err := j.files[i].Stat()
	if err != nil {
		return err
	}
	if fi.Size() < int64(size) {
		// Zeros written, not a hole: every page of the map then has its
		// block, so a full disk fails this write instead of a store into
		// the map, which would kill the process with SIGBUS.
		zeros := make([]byte, 64<<10)
		for n := int(fi.Size()); n < size; n += len(zeros) {
			if _, err := j.files[i].Write(zeros[:min(len(zeros), size-n)]); err != nil {
				return err
			}
		}
	} else {
		size = int(fi.Size())
	}
	mem, err := mapFileFunc(j.files[i], size)
	if err != nil {
		return err
	}
	if j.mem[i] != nil {
		unmapJournal(j.mem[i])
	}
	j.mem[i] = mem
	return nil
}

// mapFileFunc is mapJournal; a test puts a failing one in its place.
var mapFileFunc = mapJournal

// unmap undoes the maps.
func (j *Journal) unmap() {
	for i, m := range j.mem {
		if m != nil {
			unmapJournal(m)
		}
		j.mem[i], j.used[i] = nil, 0
	}
}

// written returns the end of what was written at the start of mem, a
// map: the records, then whatever a kill or damage left after them, up to
// the first run of zeros longer than any record. The pages after it are
// not read, so they stay out of memory.
func written(mem []byte) int {
	zeros := 0
	for i, b := range mem {
		if b != 0 {
			zeros = 0
			continue
		}
		if zeros++; zeros > journalHead+journalReply {
			return i + 1 - zeros
		}
	}
	return len(mem) - zeros
}

// recordsLen returns the length of the whole records at the start of
// data.
func recordsLen(data []byte) int {
	n := 0
	for {
		_, _, size := decodeJournal(data[n:])
		if size == 0 {
			return n
		}
		n += size
	}
}

// Close closes the journal's files. When every result in them is
// committed (a clean stop: the sender's batches ended and the recorder
// wrote their results) it empties them first, so that the next start
// replays nothing and does not report a recovery that was none. Results
// not committed, or whose write failed, stay for Replay; so does all of a
// journal whose Replay did not run or failed.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	var errs []error
	if j.replayed && j.err == nil {
		for i := range j.files {
			if j.pend[i] == 0 && !j.lost[i] && j.files[i] != nil {
				errs = append(errs, j.empty(i))
			}
		}
	}
	j.unmap()
	for i, f := range j.files {
		if f != nil {
			errs = append(errs, f.Close())
			j.files[i] = nil
		}
	}
	if j.err == nil {
		j.err = os.ErrClosed
	}
	return errors.Join(errs...)
}

// Replay hands the results the journal holds to record, one call per
// campaign in campaign order, empties the journal and returns how many
// results it held. It is called
// before a sender writes to the journal. A record cut short by the kill
// (the last one of a file) is ignored: its result was not read whole, and
// its message goes again as one in flight. When record fails, the journal
// is kept for the next start.
func (j *Journal) Replay(ctx context.Context, record func(ctx context.Context, campaignID int64, results []tasks.Result) error) (int, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	byCampaign, n := map[int64][]tasks.Result{}, 0
	for i, f := range j.files {
		data := j.mem[i]
		if data == nil {
			var err error
			if data, err = io.ReadAll(io.NewSectionReader(f, 0, 1<<62)); err != nil {
				return 0, fmt.Errorf("read journal: %w", err)
			}
		}
		for len(data) > 0 {
			cid, r, size := decodeJournal(data)
			if size == 0 {
				break // torn or damaged: nothing after it was written whole
			}
			byCampaign[cid] = append(byCampaign[cid], r)
			data = data[size:]
			n++
		}
	}
	ids := make([]int64, 0, len(byCampaign))
	for cid := range byCampaign {
		ids = append(ids, cid)
	}
	slices.Sort(ids)
	for _, cid := range ids {
		if err := record(ctx, cid, byCampaign[cid]); err != nil {
			return 0, fmt.Errorf("replay journal of campaign %d: %w", cid, err)
		}
	}
	for i := range j.files {
		// All that was written, not only the records: what a kill cut
		// short after them must not be read after the next run's.
		j.used[i] = written(j.mem[i])
		if err := j.empty(i); err != nil {
			return 0, fmt.Errorf("empty journal: %w", err)
		}
	}
	j.pend, j.size, j.lost = [2]int{}, 0, [2]bool{}
	j.replayed = true
	return n, nil
}

// journalReply is the most of a reply the journal keeps: as much as the
// ledger stores.
const journalReply = 500

// The layout of a record: its CRC-32C over what follows the CRC, the
// length of that, then status, campaign, delivery, subscriber, time and
// reply, or for a sent result (whose reply is empty) the relay's id of the
// message. The fixed part is journalHead bytes.
const (
	journalCRC  = 4
	journalLen  = 2
	journalHead = journalCRC + journalLen + 1 + 4*8
)

var journalTable = crc32.MakeTable(crc32.Castagnoli)

var journalStatus = []string{tasks.ResultSent, tasks.ResultBounced, tasks.ResultFailed}

// add appends the final result r of campaign cid to the journal, and
// tells which file holds it; a result to be retried is not journaled,
// since its message goes again whatever happens. add is a no-op on a nil
// Journal. After a failed write the journal is off: the error is returned
// once, and the ledger alone records.
//
// The connections' adds do not wait on one another's write(2): while one
// writes, the others leave their records to it and return, and it writes
// them all in its next write. A record is thus in the kernel one write
// after its reply was read, a few microseconds; holding the connections
// until then cost BDAT a tenth of its rate on a loaded machine.
func (j *Journal) add(cid int64, r tasks.Result) (journaled, error) {
	if j == nil {
		return notJournaled, nil
	}
	st := -1
	for i, s := range journalStatus {
		if r.Status == s {
			st = i
		}
	}
	if st < 0 {
		return notJournaled, nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err == nil && j.mem[j.cur] != nil {
		f := j.cur
		rec := appendJournal(j.spare[:0], byte(st), cid, r)
		j.spare = rec
		if j.used[f]+len(rec) > len(j.mem[f]) {
			j.err = j.mapFile(f, 2*max(len(j.mem[f]), j.used[f]+len(rec)))
		}
		if j.err == nil {
			j.used[f] += copy(j.mem[f][j.used[f]:], rec)
			j.size += int64(len(rec))
			j.pend[f]++
			return journaled(f), nil
		}
	} else if j.err == nil {
		f := j.cur
		n := len(j.next[f])
		j.next[f] = appendJournal(j.next[f], byte(st), cid, r)
		j.size += int64(len(j.next[f]) - n)
		j.pend[f]++
		if j.writing {
			return journaled(f), nil
		}
		j.write()
		if j.err == nil {
			return journaled(f), nil
		}
	}
	if j.told || errors.Is(j.err, os.ErrClosed) { // closed: serve stops
		return notJournaled, nil
	}
	j.told = true
	return notJournaled, fmt.Errorf("journal: %w", j.err)
}

// write writes the records waiting, with j.mu released during each
// write(2), until none wait; j.mu is held.
func (j *Journal) write() {
	j.writing = true
	defer func() { j.writing = false }()
	for {
		f := 0
		if len(j.next[f]) == 0 {
			f = 1
		}
		if len(j.next[f]) == 0 {
			return
		}
		buf := j.next[f]
		j.next[f] = j.spare[:0]
		j.mu.Unlock()
		_, err := j.files[f].Write(buf)
		j.mu.Lock()
		j.spare = buf
		if err != nil {
			j.err, j.next = err, [2][]byte{}
			return
		}
	}
}

// committed says that n results the ledger has now committed were in
// file f. Once the older file holds no result not committed, it is
// emptied and becomes the one appended to. Results whose write to the
// ledger failed count too: the journal protects against a kill, and a
// failed write is the task's to retry. When the older file cannot be
// emptied the journal is off, as after a failed write.
func (j *Journal) committed(f journaled, n int) {
	if j == nil || f == notJournaled || n == 0 {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.pend[f] -= n
	old := 1 - j.cur
	if j.err != nil || j.pend[old] > 0 || j.size == 0 {
		return
	}
	if j.err = j.empty(old); j.err != nil {
		return // add reports it
	}
	j.cur, j.size = old, 0
}

// failed says that a write to the ledger of results in file f failed:
// committed counts them too, so that the files keep swapping, but Close
// keeps that file for the next start, whose Replay records them.
func (j *Journal) failed(f journaled) {
	if j == nil || f == notJournaled {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.lost[f] = true
}

// empty empties file i: zeros over its records when it is mapped (its
// pages stay in place for the next round), else a truncation.
func (j *Journal) empty(i int) error {
	j.lost[i] = false
	if j.mem[i] != nil {
		clear(j.mem[i][:j.used[i]])
		j.used[i] = 0
		return nil
	}
	return j.files[i].Truncate(0)
}

// appendJournal appends the record of result r, with status index st, of
// campaign cid to buf.
func appendJournal(buf []byte, st byte, cid int64, r tasks.Result) []byte {
	reply := r.Reply
	if r.Status == tasks.ResultSent {
		reply = r.RelayID
	}
	if len(reply) > journalReply {
		reply = reply[:journalReply]
	}
	start := len(buf)
	buf = append(buf, make([]byte, journalCRC)...)
	buf = binary.LittleEndian.AppendUint16(buf, uint16(journalHead-journalCRC-journalLen+len(reply)))
	buf = append(buf, st)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(cid))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(r.DeliveryID))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(r.SubscriberID))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(r.At.UnixNano()))
	buf = append(buf, reply...)
	binary.LittleEndian.PutUint32(buf[start:], crc32.Checksum(buf[start+journalCRC:], journalTable))
	return buf
}

// decodeJournal decodes the record at the start of data and returns its
// campaign, its result and its length; a length of 0 means data does not
// start with a whole, intact record.
func decodeJournal(data []byte) (int64, tasks.Result, int) {
	if len(data) < journalHead {
		return 0, tasks.Result{}, 0
	}
	n := journalCRC + journalLen + int(binary.LittleEndian.Uint16(data[journalCRC:]))
	if n < journalHead || n > len(data) ||
		crc32.Checksum(data[journalCRC:n], journalTable) != binary.LittleEndian.Uint32(data) ||
		int(data[journalCRC+journalLen]) >= len(journalStatus) {
		return 0, tasks.Result{}, 0
	}
	p := data[journalCRC+journalLen+1:]
	u := binary.LittleEndian.Uint64
	r := tasks.Result{
		Status:       journalStatus[data[journalCRC+journalLen]],
		DeliveryID:   int64(u(p[8:])),
		SubscriberID: int64(u(p[16:])),
		At:           time.Unix(0, int64(u(p[24:]))).UTC(),
	}
	if tail := string(data[journalHead:n]); r.Status == tasks.ResultSent {
		r.RelayID = tail
	} else {
		r.Reply = tail
	}
	return int64(u(p)), r, n
}
