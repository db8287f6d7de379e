package web

import (
	"slices"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// queueInfos returns the state of every queue the workers serve: Bulletin's
// own, those any running server names and those that have held a task.
// asynq knows a queue only once a task was put on it, so a queue that has
// seen none yet shows with zero counts rather than not at all.
func queueInfos(insp *asynq.Inspector, servers []*asynq.ServerInfo) ([]*asynq.QueueInfo, error) {
	seen, err := insp.Queues()
	if err != nil {
		return nil, err
	}
	names := append(slices.Clone(seen), queue.QueueDefault, queue.QueueSend, queue.QueueResults)
	for _, sv := range servers {
		for q := range sv.Queues {
			names = append(names, q)
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	infos := make([]*asynq.QueueInfo, 0, len(names))
	for _, q := range names {
		if !slices.Contains(seen, q) {
			infos = append(infos, &asynq.QueueInfo{Queue: q})
			continue
		}
		info, err := insp.GetQueueInfo(q)
		if err != nil {
			return nil, err
		}
		infos = append(infos, info)
	}
	return infos, nil
}
