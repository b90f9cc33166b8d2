package engine

import (
	"time"

	"github.com/sluice-dev/sluice/internal/layout"
)

// PlannedWindow is one request window of a dry run: what would be asked and where it
// would land.
type PlannedWindow struct {
	Source  string `json:"source"`
	Account string `json:"account_id"`
	Stream  string `json:"stream"`
	From    string `json:"from"`
	To      string `json:"to"`
	// Dated tells whether the API receives the window's dates (false: it is paged and
	// filtered by record dates).
	Dated bool `json:"dated"`
	// Children are the child streams expanded from each record.
	Children []string `json:"children,omitempty"`
	// Keys are the objects the run would create at most: a data file (when the partition
	// has records and changed) and a metadata file per partition and stream.
	Keys []string `json:"keys"`
}

// Plan computes the windows and keys a run over r would use, touching nothing.
func Plan(tasks []Task, r Range, opt Options) ([]PlannedWindow, error) {
	opt.defaults()
	jobs, err := planJobs(tasks, r, layout.Day(opt.RunTime))
	if err != nil {
		return nil, err
	}
	ts := opt.ts()
	var out []PlannedWindow
	for _, j := range jobs {
		pw := PlannedWindow{
			Source: j.task.Spec.Name, Account: j.task.AccountID, Stream: j.stream.name,
			From: j.days[0].Format(time.DateOnly), To: j.days[len(j.days)-1].Format(time.DateOnly),
			Dated: j.window != nil && !j.stream.st.Window.Client,
		}
		var walk func(sp *streamPlan)
		walk = func(sp *streamPlan) {
			if sp != j.stream {
				pw.Children = append(pw.Children, sp.name)
			}
			for _, d := range j.days {
				s := layout.Stream{Source: pw.Source, Account: pw.Account, Name: sp.name}
				if isSnapshot(sp.st) {
					pw.Keys = append(pw.Keys, s.SnapshotKey(d, ts, "parquet"), s.SnapshotMetadataKey(d, ts))
					continue
				}
				p := layout.Partition{Stream: s, Day: d}
				pw.Keys = append(pw.Keys, p.DataKey(ts, opt.Format.Ext()), p.MetadataKey(ts))
			}
			for _, c := range sp.children {
				walk(c)
			}
		}
		walk(j.stream)
		out = append(out, pw)
	}
	return out, nil
}
