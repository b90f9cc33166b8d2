package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/internal/config"
	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/ledger"
)

func newUnlockCmd(g *globals) *cobra.Command {
	var account, stream, sink string
	cmd := &cobra.Command{
		Use:   "unlock",
		Short: "Remove the writer lease a dead run left on a stream",
		Long: `unlock removes the lease that keeps two runs from writing the same stream of the same
account at once. A run renews its lease while it works and removes it when it ends; a run
that was killed leaves it behind until it expires. Only unlock a stream when you know the
run holding it is dead: the lease shows its run id, host and pid.`,
		Example: `  sluice unlock --account x/2244994945 --stream tweets
  sluice unlock --account TwitterDev --stream tweets --sink s3://my-bucket/raw`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var ov config.Overrides
			if cmd.Flags().Changed("sink") {
				ov.Sink = &sink
			}
			w, err := loadWorkflow(g, ov)
			if err != nil {
				return err
			}
			s, err := w.unlockTarget(account, stream)
			if err != nil {
				return usageErr(err)
			}
			st, err := w.openStore(cmd.Context())
			if err != nil {
				return &ExitError{Code: ExitFailed, Err: err}
			}
			li, err := ledger.ForceUnlock(cmd.Context(), st, s)
			if err != nil {
				return &ExitError{Code: ExitFailed, Err: err}
			}
			fmt.Fprintln(g.stdout, describeUnlock(s, li))
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&account, "account", "", "the account (id, name or source/id) whose stream to unlock")
	fl.StringVar(&stream, "stream", "", "the stream to unlock")
	fl.StringVar(&sink, "sink", "", "override the sink: s3://bucket/prefix or a local folder")
	_ = cmd.MarkFlagRequired("account") // the flags exist; marking them cannot fail
	_ = cmd.MarkFlagRequired("stream")
	return cmd
}

// unlockTarget resolves --account and --stream to exactly one configured stream.
func (w *workflow) unlockTarget(account, stream string) (layout.Stream, error) {
	var found []*config.Account
	for i := range w.cfg.Accounts {
		if a := &w.cfg.Accounts[i]; a.Match(account) {
			found = append(found, a)
		}
	}
	switch {
	case len(found) == 0:
		return layout.Stream{}, fmt.Errorf("--account %s: no such account in %s (accounts: %s)", account, w.cfg.File, accountList(w.cfg))
	case len(found) > 1:
		var ks []string
		for _, a := range found {
			ks = append(ks, a.Key())
		}
		return layout.Stream{}, fmt.Errorf("--account %s matches %d accounts (%s); name one as source/id", account, len(found), strings.Join(ks, ", "))
	}
	a := found[0]
	sp := w.specs[a.Source]
	if _, ok := sp.Streams[stream]; !ok {
		return layout.Stream{}, fmt.Errorf("--stream %s: source %s has no such stream (streams: %s)", stream, sp.Name, strings.Join(streamList(sp), ", "))
	}
	return layout.Stream{Source: a.Source, Account: a.ID, Name: stream}, nil
}

// describeUnlock says what unlock removed.
func describeUnlock(s layout.Stream, li *ledger.LeaseInfo) string {
	name := s.Source + "/" + s.Account + "/" + s.Name
	switch {
	case li == nil:
		return "no lease on " + name + ": nothing to unlock"
	case li.Version == 0:
		return "removed an unreadable lease on " + name
	}
	h := li.Holder
	return fmt.Sprintf("removed the lease on %s held by run %s (host %s, pid %d) since %s, expiring %s",
		name, h.RunID, h.Host, h.PID, li.AcquiredAt.UTC().Format(time.RFC3339), li.ExpiresAt.UTC().Format(time.RFC3339))
}
