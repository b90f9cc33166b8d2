//go:build !failpoints

package failpoint

// Enabled reports whether this binary was built with `-tags failpoints`.
const Enabled = false

// Hit marks the failpoint name. In this build (without `-tags failpoints`) it does
// nothing, and the compiler removes the call.
func Hit(name string) {}
