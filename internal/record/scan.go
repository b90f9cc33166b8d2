package record

import (
	"errors"
	"math/bits"
)

// errNotStrict reports that the scanner met input outside strict JSON (RFC 8259). The
// scanner reads only strict JSON, where it agrees with gjson token for token; on
// anything else Extract starts over on the general gjson path, whose lenient reading
// defines the result.
var errNotStrict = errors.New("not strict JSON")

// maxScanDepth bounds the nesting the scanner follows before it leaves the input to
// the general path.
const maxScanDepth = 256

// skipSpace returns the index of the first byte at or after i that is not JSON
// whitespace.
func skipSpace(s string, i int) int {
	for ; i < len(s); i++ {
		if c := s[i]; c > ' ' || (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
			return i
		}
	}
	return i
}

// scanString reads the string token that starts with the quote at s[i]. It returns the
// index after the closing quote and whether the token's text is not its value verbatim:
// it holds a backslash escape, or a control character (which strict JSON forbids).
func scanString(s string, i int) (end int, esc, ok bool) {
	i = stringStop(s, i+1)
	if i < len(s) && s[i] == '"' {
		return i + 1, false, true
	}
	for ; i < len(s); i++ {
		switch s[i] {
		case '"':
			return i + 1, true, true
		case '\\':
			i++
		}
	}
	return 0, false, false
}

// Masks for testing the eight bytes of a word at once.
const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

// stringStop returns the index of the first '"', '\\' or control character at or after
// i, or len(s): the end of a run of string text that is its own value.
func stringStop(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		if m := escapeMask(load64(s, i)); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return i
}

// load64 reads the eight bytes of s at i as a little-endian word.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// number describes a strict JSON number token.
type number struct {
	// mant holds the decimal digits (integer and fraction part) as an integer; it is
	// exact when digits <= 19.
	mant   uint64
	digits int
	frac   int // digits after the decimal point
	flags  uint8
}

// The flags of a number.
const (
	numNeg  = 1 << iota // has a minus sign
	numFrac             // has a fraction
	numExp              // has an exponent
)

// scanNumber reads the strict JSON number at s[i]. The number must be followed by the
// end of s, whitespace, ',', ']' or '}', so that its extent is the one gjson gives it.
func scanNumber(s string, i int) (end int, n number, ok bool) {
	start := i
	if i < len(s) && s[i] == '-' {
		n.flags |= numNeg
		i++
	}
	if i >= len(s) || s[i] < '0' || s[i] > '9' {
		return 0, n, false
	}
	d := i
	if s[i] == '0' {
		i++
	} else {
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			n.mant = n.mant*10 + uint64(s[i]-'0')
		}
	}
	n.digits = i - d
	if i < len(s) && s[i] == '.' {
		n.flags |= numFrac
		d := i + 1
		for i = d; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			n.mant = n.mant*10 + uint64(s[i]-'0')
		}
		if i == d {
			return 0, n, false
		}
		n.frac = i - d
		n.digits += n.frac
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		n.flags |= numExp
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		}
		if i == d {
			return 0, n, false
		}
	}
	if !endsToken(s, i) || i == start {
		return 0, n, false
	}
	return i, n, true
}

// int64 returns n when it is an integer (no fraction, no exponent) within int64.
func (n number) int64() (int64, bool) {
	neg := n.flags&numNeg != 0
	switch {
	case n.flags&(numFrac|numExp) != 0 || n.digits > 19:
		// Up to 19 digits, mant is exact (below 10^19 < 2^64).
		return 0, false
	case !neg && n.mant <= 1<<63-1:
		return int64(n.mant), true
	case neg && n.mant <= 1<<63:
		return -int64(n.mant), true
	}
	return 0, false
}

// float64 returns n as strconv.ParseFloat would when that is exact arithmetic: at
// most 15 digits and no exponent, so the digits and the power of ten are exact
// doubles and their quotient is correctly rounded.
func (n number) float64() (float64, bool) {
	if n.flags&numExp != 0 || n.digits > 15 {
		return 0, false
	}
	f := float64(n.mant)
	if n.frac > 0 {
		p := 1.0
		for range n.frac {
			p *= 10
		}
		f /= p
	}
	if n.flags&numNeg != 0 {
		f = -f
	}
	return f, true
}

// canonical reports whether text, the token of n, is already the canonical JSON of the
// float it reads as (see Hasher): a decimal with a fraction that ends in a non-zero digit
// (so the value is not integral and no digit is superfluous), no exponent, at most 15
// digits (so no shorter decimal reads as the same float) and a magnitude from 1e-4 to
// under 1e6 (where the shortest form is written without an exponent).
func (n number) canonical(text string) bool {
	if n.flags&(numFrac|numExp) != numFrac || n.digits > 15 || text[len(text)-1] == '0' {
		return false
	}
	if n.flags&numNeg != 0 {
		text = text[1:]
	}
	if whole := n.digits - n.frac; text[0] != '0' {
		return whole <= 6
	}
	// 0.000d... is 1e-4 or more with at most three zeros after the point.
	zeros := 0
	for zeros < n.frac && text[2+zeros] == '0' {
		zeros++
	}
	return zeros <= 3
}

// scanLiteral reads the literal word (true, false or null) at s[i].
func scanLiteral(s string, i int, word string) (int, bool) {
	end := i + len(word)
	if end > len(s) || s[i:end] != word || !endsToken(s, end) {
		return 0, false
	}
	return end, true
}

// endsToken reports whether a scalar token may end before s[i].
func endsToken(s string, i int) bool {
	if i == len(s) {
		return true
	}
	switch s[i] {
	case ' ', '\n', '\t', '\r', ',', ']', '}':
		return true
	}
	return false
}

// skipValue returns the index after the strict JSON value that starts at s[i].
func skipValue(s string, i, depth int) (int, error) {
	if i >= len(s) {
		return 0, errNotStrict
	}
	var end int
	ok := true
	switch c := s[i]; c {
	case '"':
		end, _, ok = scanString(s, i)
	case 't':
		end, ok = scanLiteral(s, i, "true")
	case 'f':
		end, ok = scanLiteral(s, i, "false")
	case 'n':
		end, ok = scanLiteral(s, i, "null")
	case '{', '[':
		return skipContainer(s, i, depth+1)
	default:
		end, _, ok = scanNumber(s, i)
	}
	if !ok {
		return 0, errNotStrict
	}
	return end, nil
}

// skipContainer returns the index after the object or array that starts at s[i].
func skipContainer(s string, i, depth int) (int, error) {
	if depth > maxScanDepth {
		return 0, errNotStrict
	}
	obj := s[i] == '{'
	closer := byte(']')
	if obj {
		closer = '}'
	}
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == closer {
		return i + 1, nil
	}
	for {
		if obj {
			if i >= len(s) || s[i] != '"' {
				return 0, errNotStrict
			}
			end, _, ok := scanString(s, i)
			if !ok {
				return 0, errNotStrict
			}
			if i = skipSpace(s, end); i >= len(s) || s[i] != ':' {
				return 0, errNotStrict
			}
			i = skipSpace(s, i+1)
		}
		end, err := skipValue(s, i, depth)
		if err != nil {
			return 0, err
		}
		i = skipSpace(s, end)
		switch {
		case i < len(s) && s[i] == ',':
			i = skipSpace(s, i+1)
		case i < len(s) && s[i] == closer:
			return i + 1, nil
		default:
			return 0, errNotStrict
		}
	}
}
