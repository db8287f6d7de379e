package campaigns_test

import (
	"context"
	"testing"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
)

// What workers remember they sent of a campaign (queue.DoneKey) is
// emptied as a campaign of that id starts: after a restore from a backup
// a new campaign can take the id, and its deliveries the ids and readers,
// of one made after the backup, whose remembered results reported every
// reader sent without mailing them. A resume keeps the memory: that
// campaign's results are its own.
func TestStartForgetsWhatWorkersSentOfAnEarlierCampaign(t *testing.T) {
	e, id := stopEnv(t)
	ctx := context.Background()
	rdb := queuetest.Embedded(t).Redis()
	e.svc.Redis = rdb
	key := queue.DoneKey(id)
	remember := func() {
		t.Helper()
		if err := rdb.HSet(ctx, key, "1", `{"d":1,"s":1,"st":"sent"}`).Err(); err != nil {
			t.Fatal(err)
		}
	}
	remember() // a campaign lost in the restore, of the same id
	if _, err := e.svc.Send(ctx, id); err != nil {
		t.Fatal(err)
	}
	if n, err := rdb.Exists(ctx, key).Result(); err != nil || n != 0 {
		t.Errorf("the start left the workers' memory of an earlier campaign (%d, %v)", n, err)
	}
	if _, err := e.svc.Pause(ctx, id); err != nil {
		t.Fatal(err)
	}
	remember() // this campaign's own
	if _, err := e.svc.Resume(ctx, id); err != nil {
		t.Fatal(err)
	}
	if n, err := rdb.Exists(ctx, key).Result(); err != nil || n != 1 {
		t.Errorf("the resume forgot what workers sent of this campaign (%d, %v)", n, err)
	}
}
