package httpapi

import (
	"math/bits"
	"unsafe"
)

// The scanner in this file is a one-pass JSON validator that accepts exactly what
// gjson.Valid accepts: RFC 8259 JSON with any whitespace of space, tab, CR and LF around
// tokens, strings whose bytes are not checked as UTF-8, and nothing but whitespace after
// the value. Strings are skipped eight bytes at a time, which is where a page of records
// spends most of its bytes. Each scan function takes the text and an index and returns
// the index just past what it read, and whether that was valid.

// validJSON reports whether body is valid JSON, as gjson.ValidBytes does.
func validJSON(body []byte) bool {
	// The scanner only reads the text while it runs, so a view of body's bytes as a
	// string saves copying a whole page for a check.
	t := unsafe.String(unsafe.SliceData(body), len(body))
	end, ok := scanValue(t, 0)
	return ok && skipSpace(t, end) == len(t)
}

// maxDepth bounds the nesting of objects and arrays the scanner follows: a hostile body of
// millions of '[' must be refused, not recursed into until the stack runs out.
const maxDepth = 10000

// scanValue validates the value starting at t[i] (after optional whitespace) and returns
// the index just past it.
func scanValue(t string, i int) (int, bool) { return scanValueAt(t, i, 0) }

// scanObject validates the members of the object whose '{' is at t[i-1].
func scanObject(t string, i int) (int, bool) { return scanObjectAt(t, i, 1) }

func scanValueAt(t string, i, depth int) (int, bool) {
	i = skipSpace(t, i)
	if i >= len(t) {
		return i, false
	}
	switch c := t[i]; c {
	case '"':
		end, _, ok := scanString(t, i+1)
		return end, ok
	case '{':
		if depth >= maxDepth {
			return i, false
		}
		return scanObjectAt(t, i+1, depth+1)
	case '[':
		if depth >= maxDepth {
			return i, false
		}
		return scanArrayAt(t, i+1, depth+1)
	case 't':
		return literal(t, i, "true")
	case 'f':
		return literal(t, i, "false")
	case 'n':
		return literal(t, i, "null")
	default:
		if c == '-' || c-'0' < 10 {
			return scanNumber(t, i)
		}
		return i, false
	}
}

// scanObjectAt validates the members of the object whose '{' is at t[i-1], at nesting
// depth.
func scanObjectAt(t string, i, depth int) (int, bool) {
	i = skipSpace(t, i)
	if i < len(t) && t[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(t) || t[i] != '"' {
			return i, false
		}
		var ok bool
		if i, _, ok = scanString(t, i+1); !ok {
			return i, false
		}
		if i = skipSpace(t, i); i >= len(t) || t[i] != ':' {
			return i, false
		}
		if i, ok = scanValueAt(t, i+1, depth); !ok {
			return i, false
		}
		if i = skipSpace(t, i); i >= len(t) {
			return i, false
		}
		switch t[i] {
		case ',':
			i = skipSpace(t, i+1)
		case '}':
			return i + 1, true
		default:
			return i, false
		}
	}
}

// scanArrayAt validates the elements of the array whose '[' is at t[i-1], at nesting
// depth.
func scanArrayAt(t string, i, depth int) (int, bool) {
	i = skipSpace(t, i)
	if i < len(t) && t[i] == ']' {
		return i + 1, true
	}
	for {
		var ok bool
		if i, ok = scanValueAt(t, i, depth); !ok {
			return i, false
		}
		if i = skipSpace(t, i); i >= len(t) {
			return i, false
		}
		switch t[i] {
		case ',':
			i++
		case ']':
			return i + 1, true
		default:
			return i, false
		}
	}
}

// nextMember reads what follows a member of a container: a comma (the index returned is
// that of the next member, after whitespace) or the container's closing byte (the index
// returned is just past it, so t[i-1] tells the two apart).
func nextMember(t string, i int, closing byte) (int, bool) {
	i = skipSpace(t, i)
	if i >= len(t) {
		return i, false
	}
	switch t[i] {
	case ',':
		return skipSpace(t, i+1), true
	case closing:
		return i + 1, true
	}
	return i, false
}

// scanString validates the rest of the string whose opening quote is at t[i-1] and
// returns the index past its closing quote, and whether it holds escapes.
func scanString(t string, i int) (end int, escaped, ok bool) {
	for i+8 <= len(t) {
		m := stringSpecials(load64(t, i))
		if m == 0 {
			i += 8
			continue
		}
		i += bits.TrailingZeros64(m) >> 3
		switch t[i] {
		case '"':
			return i + 1, escaped, true
		case '\\':
			escaped = true
			if i, ok = scanEscape(t, i+1); !ok {
				return i, escaped, false
			}
		default: // a control character
			return i, escaped, false
		}
	}
	return scanStringTail(t, i, escaped)
}

// scanStringTail is scanString byte by byte, for the last bytes of the text.
func scanStringTail(t string, i int, escaped bool) (end int, _, ok bool) {
	for i < len(t) {
		switch c := t[i]; {
		case c == '"':
			return i + 1, escaped, true
		case c == '\\':
			escaped = true
			if i, ok = scanEscape(t, i+1); !ok {
				return i, escaped, false
			}
		case c < 0x20:
			return i, escaped, false
		default:
			i++
		}
	}
	return i, escaped, false
}

// scanEscape validates the escape whose backslash is at text[i-1].
func scanEscape(t string, i int) (int, bool) {
	if i >= len(t) {
		return i, false
	}
	switch t[i] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return i + 1, true
	case 'u':
		if i+5 > len(t) {
			return len(t), false
		}
		for _, c := range []byte(t[i+1 : i+5]) {
			if !isHex(c) {
				return i, false
			}
		}
		return i + 5, true
	}
	return i, false
}

func isHex(c byte) bool {
	return c-'0' < 10 || (c|0x20)-'a' < 6
}

// scanNumber validates the number starting at text[i] ('-' or a digit).
func scanNumber(t string, i int) (int, bool) {
	if t[i] == '-' {
		i++
	}
	switch {
	case i >= len(t) || t[i]-'0' >= 10:
		return i, false
	case t[i] == '0':
		i++
	default:
		i = skipDigits(t, i)
	}
	if i < len(t) && t[i] == '.' {
		if i++; i >= len(t) || t[i]-'0' >= 10 {
			return i, false
		}
		i = skipDigits(t, i)
	}
	if i < len(t) && t[i]|0x20 == 'e' {
		i++
		if i < len(t) && (t[i] == '+' || t[i] == '-') {
			i++
		}
		if i >= len(t) || t[i]-'0' >= 10 {
			return i, false
		}
		i = skipDigits(t, i)
	}
	return i, true
}

func skipDigits(t string, i int) int {
	for i < len(t) && t[i]-'0' < 10 {
		i++
	}
	return i
}

// literal validates the literal word (true, false or null) at text[i].
func literal(t string, i int, word string) (int, bool) {
	if len(t)-i >= len(word) && t[i:i+len(word)] == word {
		return i + len(word), true
	}
	return i, false
}

// load64 reads the eight bytes at t[i:] as a little-endian word (one load once compiled).
func load64(t string, i int) uint64 {
	b := t[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// stringSpecials returns a mask with the high bit set in the lowest byte of x (in
// memory order) that ends a plain run of string text: a quote, a backslash or a control
// character; 0 when there is none. The has-zero-byte tests it combines can also flag
// bytes above the first match, never below it, so the lowest flag is exact.
func stringSpecials(x uint64) uint64 {
	quote := x ^ (ones * '"')
	slash := x ^ (ones * '\\')
	found := (quote - ones) &^ quote
	found |= (slash - ones) &^ slash
	found |= (x - ones*0x20) &^ x
	return found & highs
}
