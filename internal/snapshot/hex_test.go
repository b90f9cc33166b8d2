package snapshot

import (
	"encoding/hex"
	"testing"
)

// TestDecode16 checks the pair-table hex decoder against encoding/hex.
func TestDecode16(t *testing.T) {
	t16 := newHexTable()
	cases := []struct {
		name, in string
		ok       bool
	}{
		{"lower", "000102030405060708090a0b0c0d0eff", true},
		{"all digits", "0123456789abcdef0123456789abcdef", true},
		{"upper", "0123456789ABCDEF0123456789ABCDEF", true},
		{"mixed case", "0123456789aBcDeF0123456789abcdef", true},
		{"g", "0123456789abcdeg0123456789abcdef", false},
		{"space", "0123456789abcde 0123456789abcdef", false},
		{"colon", "0123456789abcde:0123456789abcdef", false},
		{"at", "@123456789abcdef0123456789abcdef", false},
		{"high byte", "0123456789abcd\xe90123456789abcdef", false},
		{"short", "0123456789abcdef", false},
		{"long", "0123456789abcdef0123456789abcdef00", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got [16]byte
			ok := t16.decode16(&got, []byte(tc.in))
			if ok != tc.ok {
				t.Fatalf("ok %v, want %v", ok, tc.ok)
			}
			if ok {
				want, _ := hex.DecodeString(tc.in)
				if string(got[:]) != string(want) {
					t.Fatalf("got %x, want %x", got, want)
				}
			}
		})
	}
	// Every single-byte substitution in a valid hash agrees with encoding/hex.
	base := []byte("0123456789abcdef0123456789abcdef")
	for pos := range 32 {
		for c := range 256 {
			in := append([]byte(nil), base...)
			in[pos] = byte(c)
			want, err := hex.DecodeString(string(in))
			var got [16]byte
			if ok := t16.decode16(&got, in); ok != (err == nil) || ok && string(got[:]) != string(want) {
				t.Fatalf("byte %#x at %d: ok %v got %x, encoding/hex: %v %x", c, pos, ok, got, err, want)
			}
		}
	}
}
