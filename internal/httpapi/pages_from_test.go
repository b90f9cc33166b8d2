package httpapi

import (
	"fmt"
	"net/url"
	"reflect"
	"testing"
	"time"
)

func TestPagesFromHoldStopsPrefetch(t *testing.T) {
	d := newMemDoer(`[{"id":1}]`, `[{"id":2}]`, `[{"id":3}]`, `[]`)
	hold := func(n int) bool { return n == 2 }
	var got []int
	for page, err := range PagesFrom(t.Context(), d, firstPage(), pageStream(""), PageOptions{Hold: hold}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page.Number)
		if page.Number != 2 {
			continue
		}
		// Calls 0 and 1 have started; call 2 must not start while page 2 is handled.
		waitStarted(t, d, 1)
		select {
		case n := <-d.started:
			t.Fatalf("call %d started before the consumer finished the held page 2", n)
		case <-time.After(200 * time.Millisecond):
		}
	}
	if want := []int{1, 2, 3, 4}; !reflect.DeepEqual(got, want) {
		t.Fatalf("pages %v, want %v", got, want)
	}
	if len(d.calls) != 4 {
		t.Fatalf("%d calls, want 4", len(d.calls))
	}
}

func TestPagesFromResumesNumberingAndMaxPages(t *testing.T) {
	d := newMemDoer(`[{"id":6}]`, `[{"id":7}]`, `[{"id":8}]`)
	st := pageStream("")
	st.Pagination.MaxPages = 7
	first := &Request{Method: "GET", URL: "https://api.example.com/items", Query: url.Values{"page": {"6"}}}
	var got []string
	for page, err := range PagesFrom(t.Context(), d, first, st, PageOptions{Done: 5}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d:%s next=%v", page.Number, page.Request.Query.Get("page"), page.Next != nil))
	}
	want := []string{"6:6 next=true", "7:7 next=false"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("pages %q, want %q (max_pages 7 counts the 5 pages done before)", got, want)
	}
}
