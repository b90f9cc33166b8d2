package record

import (
	"strings"
	"testing"
)

func TestSetHashTextRoundTrip(t *testing.T) {
	var whole, first, second SetHash
	for i := range 10 {
		sum := [16]byte{byte(i), 0xff, 0xfe, 7: byte(i * 3), 15: 0xff}
		whole.Add(sum)
		if i < 4 {
			first.Add(sum)
		} else {
			second.Add(sum)
		}
	}
	text, err := first.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	if len(text) != 48 {
		t.Fatalf("state has %d digits, want 48: %s", len(text), text)
	}
	var back SetHash
	if err := back.UnmarshalText(text); err != nil {
		t.Fatal(err)
	}
	if back != first {
		t.Fatalf("round trip: got %+v, want %+v", back, first)
	}
	back.Merge(second)
	if back.String() != whole.String() || back.Count() != 10 {
		t.Fatalf("merged restored state: got %s (%d), want %s (10)", back.String(), back.Count(), whole.String())
	}
}

func TestSetHashUnmarshalTextRejects(t *testing.T) {
	for name, in := range map[string]string{
		"short":   "00ff",
		"not hex": strings.Repeat("zz", 24),
		"long":    strings.Repeat("00", 25),
	} {
		t.Run(name, func(t *testing.T) {
			var h SetHash
			if err := h.UnmarshalText([]byte(in)); err == nil || !strings.HasPrefix(err.Error(), "set hash state:") {
				t.Fatalf("got %v, want a set hash state error", err)
			}
		})
	}
}
