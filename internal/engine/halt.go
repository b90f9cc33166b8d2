package engine

import (
	"fmt"
	"sync"

	"github.com/sluice-dev/sluice/internal/httpapi"
)

// halts remembers accounts that cannot make progress in this run: an exhausted quota or a
// rejected credential fails every later window of the account at once, without sending
// requests that can only fail the same way.
type halts struct {
	mu  sync.Mutex
	why map[*Task]error
}

func (h *halts) get(t *Task) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.why[t]
}

// note records err for t when it is of a kind that stops the account.
func (h *halts) note(t *Task, err error) {
	switch httpapi.KindOf(err) {
	case httpapi.KindQuota, httpapi.KindAuth:
	default:
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.why == nil {
		h.why = map[*Task]error{}
	}
	if h.why[t] == nil {
		h.why[t] = &haltError{err: err}
	}
}

// haltError is the error of windows skipped because of an earlier window's failure.
type haltError struct{ err error }

func (e *haltError) Error() string {
	return fmt.Sprintf("not attempted: an earlier window of this account failed with: %v", e.err)
}

func (e *haltError) Unwrap() error { return e.err }
