package record

import (
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// appendCanonicalJSON appends r re-canonicalized (see Hasher).
func (h *Hasher) appendCanonicalJSON(dst []byte, r gjson.Result) []byte {
	switch r.Type {
	case gjson.Null:
		return append(dst, "null"...)
	case gjson.True:
		return append(dst, "true"...)
	case gjson.False:
		return append(dst, "false"...)
	case gjson.Number:
		return appendCanonicalNumber(dst, r.Raw)
	case gjson.String:
		return appendJSONString(dst, r.Str)
	}
	if r.IsArray() {
		dst = append(dst, '[')
		first := true
		r.ForEach(func(_, e gjson.Result) bool {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = h.appendCanonicalJSON(dst, e)
			return true
		})
		return append(dst, ']')
	}
	// The pairs of this object sit at h.pairs[start:end]; nested objects push theirs
	// above end and pop them, so elements are read by index after each recursion.
	start := len(h.pairs)
	r.ForEach(func(k, v gjson.Result) bool {
		h.pairs = append(h.pairs, jsonPair{key: k.Str, value: v})
		return true
	})
	end := len(h.pairs)
	slices.SortStableFunc(h.pairs[start:end], func(a, b jsonPair) int { return strings.Compare(a.key, b.key) })
	dst = append(dst, '{')
	for i := start; i < end; i++ {
		if i > start {
			dst = append(dst, ',')
		}
		p := h.pairs[i]
		dst = appendJSONString(dst, p.key)
		dst = append(dst, ':')
		dst = h.appendCanonicalJSON(dst, p.value)
	}
	clear(h.pairs[start:end])
	h.pairs = h.pairs[:start]
	return append(dst, '}')
}

// appendCanonicalNumber appends a JSON number literal in canonical form.
func appendCanonicalNumber(dst []byte, raw string) []byte {
	// Shape checks first: a failed strconv parse allocates its error.
	if allDigitsSigned(raw) {
		if fitsInt64(raw) {
			n, _ := strconv.ParseInt(raw, 10, 64)
			return strconv.AppendInt(dst, n, 10)
		}
		return append(dst, strings.TrimPrefix(raw, "+")...)
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		// Out of float64 range: the literal itself is the most faithful form.
		return append(dst, raw...)
	}
	return appendCanonicalFloat(dst, f)
}

// fitsInt64 reports whether a signed run of digits is within int64 range.
func fitsInt64(s string) bool {
	limit := "9223372036854775807"
	switch s[0] {
	case '-':
		s, limit = s[1:], "9223372036854775808"
	case '+':
		s = s[1:]
	}
	s = strings.TrimLeft(s, "0")
	return len(s) < len(limit) || (len(s) == len(limit) && s <= limit)
}

// appendCanonicalFloat writes integral floats below 2^53 as integers and others in the
// shortest round-trip form.
func appendCanonicalFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(dst, `"+Inf"`...)
	case math.IsInf(f, -1):
		return append(dst, `"-Inf"`...)
	case f == math.Trunc(f) && math.Abs(f) < 1<<53:
		return strconv.AppendInt(dst, int64(f), 10)
	}
	if out, ok := appendShortDecimal(dst, f); ok {
		return out
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}

// appendShortDecimal writes a non-integral f with 1e-4 <= |f| < 1e6 exactly as
// strconv.AppendFloat(dst, f, 'g', -1, 64) does, when its shortest round-trip form has
// at most 15 significant digits; ok is false otherwise.
//
// For k = 0, 1, ... it takes n, the integer nearest f*10^k, and accepts the first k for
// which n/10^k, correctly rounded, is f: that decimal then reads back as f, and no
// shorter one does. With at most 15 significant digits, decimals of k places lie more
// than 4 ulps apart, so the one within half an ulp of f is unique and the rounding of
// f*10^k (an error below 0.11 in n) cannot miss it: the digits are strconv's.
func appendShortDecimal(dst []byte, f float64) ([]byte, bool) {
	a := math.Abs(f)
	if a < 1e-4 || a >= 1e6 {
		return dst, false
	}
	p := 1.0
	for k := 1; k <= 19; k++ {
		p *= 10
		n := math.Round(a * p)
		if n >= 1e15 {
			return dst, false
		}
		if n/p != a {
			continue
		}
		if f < 0 {
			dst = append(dst, '-')
		}
		var b [24]byte
		digits := strconv.AppendUint(b[:0], uint64(n), 10)
		if len(digits) <= k {
			// 0.000ddd: pad with the zeros after the point.
			dst = append(dst, '0', '.')
			for range k - len(digits) {
				dst = append(dst, '0')
			}
			return append(dst, digits...), true
		}
		whole := len(digits) - k
		dst = append(dst, digits[:whole]...)
		dst = append(dst, '.')
		return append(dst, digits[whole:]...), true
	}
	return dst, false
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted, escaping only '"', '\\' and control characters.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	if i := needsEscape(s); i < len(s) {
		dst = append(dst, s[:i]...)
		return appendEscaped(dst, s, i)
	}
	dst = append(dst, s...)
	return append(dst, '"')
}

// appendStringValue appends the canonical JSON of the String v, copying a Verbatim one
// without looking for bytes to escape.
func appendStringValue(dst []byte, v *Value) []byte {
	if !v.Verbatim {
		return appendJSONString(dst, v.S)
	}
	dst = append(dst, '"')
	dst = append(dst, v.S...)
	return append(dst, '"')
}

// needsEscape returns the index of the first byte of s that a canonical string escapes
// ('"', '\\' or below 0x20), or len(s).
func needsEscape(s string) int {
	if len(s) < 8 {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
				return i
			}
		}
		return len(s)
	}
	for i := 0; ; i += 8 {
		// The last word overlaps bytes already found clean, so its lowest flag, if
		// any, lies at or after i.
		i = min(i, len(s)-8)
		if m := escapeMask(load64(s, i)); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
		if i+8 == len(s) {
			return len(s)
		}
	}
}

// appendEscaped appends s[i:] escaped, and the closing quote.
func appendEscaped(dst []byte, s string, i int) []byte {
	start := i
	for ; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// escapeMask flags the bytes of w below 0x20 and those equal to '"' or '\\' (the
// lowest flag is exact; those above it may not be).
func escapeMask(w uint64) uint64 {
	q, b := w^(lowBits*'"'), w^(lowBits*'\\')
	return ((w-lowBits*0x20)&^w | (q-lowBits)&^q | (b-lowBits)&^b) & highBits
}

// The instants whose UTC year lies within 0000-9999, in microseconds, and those days.
const (
	minTextMicros = -62167219200 * 1e6   // 0000-01-01T00:00:00Z
	maxTextMicros = 253402300800*1e6 - 1 // 9999-12-31T23:59:59.999999Z
	minTextDays   = -719528              // 0000-01-01
	maxTextDays   = 2932896              // 9999-12-31
)

// appendTimeText appends UTC microseconds as YYYY-MM-DDThh:mm:ss.ffffffZ.
func appendTimeText(dst []byte, micros int64) []byte {
	if micros < minTextMicros || micros > maxTextMicros {
		return time.UnixMicro(micros).UTC().AppendFormat(dst, "2006-01-02T15:04:05.000000Z")
	}
	days := floorDiv(micros, 86400e6)
	rem := micros - days*86400e6
	secs := int(rem / 1e6)
	var b [27]byte
	putDate(b[:10], days)
	b[10], b[13], b[16], b[19], b[26] = 'T', ':', ':', '.', 'Z'
	putDigits(b[11:13], secs/3600)
	putDigits(b[14:16], secs/60%60)
	putDigits(b[17:19], secs%60)
	putDigits(b[20:26], int(rem%1e6))
	return append(dst, b[:]...)
}

// appendDateText appends days since the epoch as YYYY-MM-DD.
func appendDateText(dst []byte, days int64) []byte {
	if days < minTextDays || days > maxTextDays {
		return time.Unix(days*86400, 0).UTC().AppendFormat(dst, "2006-01-02")
	}
	var b [10]byte
	putDate(b[:], days)
	return append(dst, b[:]...)
}

// putDate writes days since the epoch, within years 0000-9999, as YYYY-MM-DD into b.
func putDate(b []byte, days int64) {
	y, mo, d := civilFromDays(days)
	b[4], b[7] = '-', '-'
	putDigits(b[0:4], y)
	putDigits(b[5:7], mo)
	putDigits(b[8:10], d)
}

// digitPairs holds the two digits of 00 to 99.
const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"4041424344454647484950515253545556575859606162636465666768697071727374757677787980" +
	"81828384858687888990919293949596979899"

// putDigits writes a non-negative v as exactly len(b) decimal digits, len(b) even.
func putDigits(b []byte, v int) {
	for i := len(b) - 2; i >= 0; i -= 2 {
		p := v % 100 * 2
		b[i], b[i+1] = digitPairs[p], digitPairs[p+1]
		v /= 100
	}
}
