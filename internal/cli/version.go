package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/internal/engine"
)

// version is set at build time with -ldflags "-X .../internal/cli.version=v1.2.3".
var version = "dev"

// buildInfo reads the version and VCS commit from the binary's build information.
func buildInfo() engine.Build {
	b := engine.Build{Version: version}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.Go = info.GoVersion
	if b.Version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		b.Version = info.Main.Version
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			b.Commit = s.Value
		}
		if s.Key == "vcs.modified" && s.Value == "true" && b.Commit != "" {
			b.Commit += "-dirty"
		}
	}
	return b
}

func newVersionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and build commit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := buildInfo()
			commit := b.Commit
			if commit == "" {
				commit = "unknown"
			}
			fmt.Fprintf(g.stdout, "sluice %s (commit %s, %s)\n", b.Version, commit, b.Go)
			return nil
		},
	}
}
