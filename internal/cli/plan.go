package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/internal/engine"
)

func newPlanCmd(g *globals) *cobra.Command {
	var f rangeFlags
	var asJSON, keys bool
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what a run would do: windows, request estimate and keys (touches nothing)",
		Example: `  sluice plan --from 2024-01-01 --to 2024-01-31
  sluice plan --date 2024-01-15 --keys      # list every object key the run would create
  sluice plan --json | jq '.[].keys | length'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, r, tasks, err := f.prepare(cmd, g)
			if err != nil {
				return err
			}
			opt := w.engineOptions(nil)
			plan, err := engine.Plan(tasks, r, opt)
			if err != nil {
				return usageErr(err)
			}
			if asJSON {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(plan)
			}
			printPlan(g, w, plan, r, keys)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the plan as JSON")
	cmd.Flags().BoolVar(&keys, "keys", false, "list every object key")
	return cmd
}

func printPlan(g *globals, w *workflow, plan []engine.PlannedWindow, r engine.Range, keys bool) {
	partitions := 0
	for _, p := range plan {
		partitions += len(p.Keys) / 2
	}
	fmt.Fprintf(g.stdout, "plan %s..%s → %s (%s): %d request windows (at least %d requests), %d partitions\n",
		r.From.Format("2006-01-02"), r.To.Format("2006-01-02"), w.cfg.Sink, w.cfg.Format, len(plan), len(plan), partitions)
	for _, p := range plan {
		how := "dates sent to the API"
		if !p.Dated {
			how = "paged and filtered by record date"
		}
		line := fmt.Sprintf("  %s/%s/%s  %s..%s  %s", p.Source, p.Account, p.Stream, p.From, p.To, how)
		if len(p.Children) > 0 {
			line += fmt.Sprintf("; children %v (one request chain per record)", p.Children)
		}
		fmt.Fprintln(g.stdout, line)
		if keys {
			for _, k := range p.Keys {
				fmt.Fprintf(g.stdout, "    %s\n", k)
			}
		}
	}
}
