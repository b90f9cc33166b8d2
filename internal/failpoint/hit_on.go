//go:build failpoints

package failpoint

import (
	"os"
	"sync"
	"sync/atomic"
	"syscall"
)

// Enabled reports whether this binary was built with `-tags failpoints`.
const Enabled = true

// armed is the failpoint SLUICE_FAILPOINT names, read once. Process-wide state is the
// point here: a failpoint counts hits across the whole process, wherever Hit is called
// from, and only crash-test builds carry it.
var armed = sync.OnceValue(func() *target {
	name, nth, ok := Parse(os.Getenv(Env))
	if !ok {
		return nil
	}
	return &target{name: name, nth: nth}
})

type target struct {
	name string
	nth  int64
	hits atomic.Int64
}

// Hit marks the failpoint name: when SLUICE_FAILPOINT arms name and this is its Nth hit,
// the process kills itself with SIGKILL and Hit never returns.
func Hit(name string) {
	t := armed()
	if t == nil || t.name != name || t.hits.Add(1) != t.nth {
		return
	}
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // the signal is delivered asynchronously; never run past the failpoint
}
