package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/internal/fakeapi"
)

func newServeFakeCmd(g *globals) *cobra.Command {
	var addr string
	var seed uint64
	var faults bool
	cmd := &cobra.Command{
		Use:   "serve-fake " + strings.Join(fakeapi.Names(), "|"),
		Short: "Serve a built-in fake API on loopback (for trying specs and configs offline)",
		Example: `  sluice serve-fake demo --addr 127.0.0.1:8787
  sluice serve-fake x --addr 127.0.0.1:8788     # X API v2 timeline; bearer token: ` + fakeapi.XDefaultToken,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := fakeapi.Handler(args[0], fakeapi.Options{Seed: seed, Faults: faults})
			if err != nil {
				return usageErr(err)
			}
			srv, err := fakeapi.Listen(cmd.Context(), addr, h)
			if err != nil {
				return &ExitError{Code: ExitFailed, Err: err}
			}
			fmt.Fprintf(g.stdout, "fake %s API listening on %s (Ctrl-C to stop)\n", args[0], srv.URL)
			<-cmd.Context().Done()
			return srv.Close()
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8787", "listen address (loopback)")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "data set seed")
	cmd.Flags().BoolVar(&faults, "faults", false, "answer some requests with 429 and 503, as real APIs do")
	return cmd
}
