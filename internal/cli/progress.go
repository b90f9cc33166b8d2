package cli

import (
	"io"

	"github.com/schollz/progressbar/v3"

	"github.com/sluice-dev/sluice/internal/layout"
)

// progress draws a bar of committed partitions on a terminal.
type progress struct {
	bar *progressbar.ProgressBar
	w   io.Writer
}

// newProgress returns nil when w is not a terminal: logs tell the story there.
func newProgress(w io.Writer) *progress {
	if !isTerminal(w) {
		return nil
	}
	return &progress{w: w}
}

// Planned implements engine.Progress.
func (p *progress) Planned(n int) {
	p.bar = progressbar.NewOptions(n, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription("partitions"),
		progressbar.OptionShowCount(), progressbar.OptionSetWidth(30), progressbar.OptionClearOnFinish())
}

// Committed implements engine.Progress.
func (p *progress) Committed(layout.Partition, string, int64) {
	if p.bar != nil {
		_ = p.bar.Add(1) // a terminal write error only loses a frame of the bar
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
