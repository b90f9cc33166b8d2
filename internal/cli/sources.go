package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/internal/spec"
)

func newSourcesCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "sources",
		Short:   "List the built-in sources and their streams",
		Example: `  sluice sources`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			specs, err := spec.Builtin()
			if err != nil {
				return &ExitError{Code: ExitFailed, Err: err}
			}
			for _, sp := range specs {
				fmt.Fprintf(g.stdout, "%s (v%s): %s\n", sp.Name, sp.Version, strings.TrimSpace(sp.Description))
				for _, name := range streamList(sp) {
					st := sp.Streams[name]
					kind := st.Mode
					if st.Parent != nil {
						kind += ", child of " + st.Parent.Stream
					}
					fmt.Fprintf(g.stdout, "  %-14s %s — %s\n", name, kind, strings.TrimSpace(st.Description))
				}
			}
			return nil
		},
	}
}

func newSchemaCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "schema spec",
		Short: "Print the JSON Schema of source spec files (for editor completion)",
		Example: `  sluice schema spec > sluice-spec.schema.json
  # then, in VS Code with the YAML extension, first line of a spec:
  # yaml-language-server: $schema=./sluice-spec.schema.json`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"spec"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] != "spec" {
				return usageErr(fmt.Errorf("unknown schema %q (available: spec)", args[0]))
			}
			data, err := spec.JSONSchema()
			if err != nil {
				return &ExitError{Code: ExitFailed, Err: err}
			}
			_, err = g.stdout.Write(append(data, '\n'))
			return err
		},
	}
}
