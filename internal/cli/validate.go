package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/internal/config"
	"github.com/sluice-dev/sluice/internal/engine"
	"github.com/sluice-dev/sluice/internal/spec"
)

func newValidateCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "validate [spec.yaml ...]",
		Short: "Check the workflow config and its specs, or the spec files given",
		Long: `Without arguments, validate loads sluice.yaml (or --config), every spec it uses, and
checks accounts and streams; secrets are not resolved. With arguments, it validates those
source spec files alone, reporting every problem with its file:line.`,
		Example: `  sluice validate
  sluice validate --config prod.yaml
  sluice validate specs/acme.yaml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return validateSpecs(g, args)
			}
			w, err := loadWorkflow(g, config.Overrides{})
			if err != nil {
				return err
			}
			c := w.cfg
			fmt.Fprintf(g.stdout, "%s: ok\n", c.File)
			for _, s := range c.Settings() {
				fmt.Fprintf(g.stdout, "  %-28s %-24s (%s)\n", s.Key, s.Value, s.From)
			}
			var probs []string
			for _, a := range c.Accounts {
				if err := engine.CheckStreams(w.specs[a.Source], a.Streams); err != nil {
					probs = append(probs, fmt.Sprintf("%s:%d: account %s: %v", c.File, a.Line, a.Key(), err))
				}
			}
			if len(probs) > 0 {
				return usageErr(errors.New(strings.Join(probs, "\n")))
			}
			for _, a := range c.Accounts {
				sp := w.specs[a.Source]
				streams := a.Streams
				if len(streams) == 0 {
					streams = streamList(sp)
				}
				fmt.Fprintf(g.stdout, "  account %s (%s): streams %v\n", a.Key(), sp.File, streams)
			}
			return nil
		},
	}
}

func validateSpecs(g *globals, files []string) error {
	failed := 0
	for _, f := range files {
		sp, err := spec.Load(f)
		if err != nil {
			fmt.Fprintln(g.stderr, err)
			failed++
			continue
		}
		fmt.Fprintf(g.stdout, "%s: ok (source %s, %d streams)\n", f, sp.Name, len(sp.Streams))
	}
	if failed > 0 {
		return usageErr(fmt.Errorf("%d of %d spec files have problems", failed, len(files)))
	}
	return nil
}
