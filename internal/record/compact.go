package record

import "strings"

// compactString returns raw JSON without the whitespace between tokens. Most API values
// carry none, and then raw itself is returned without copying.
func compactString(raw string) string {
	if !strings.ContainsAny(raw, " \t\n\r") {
		return raw
	}
	return string(appendCompact(make([]byte, 0, len(raw)), raw))
}

// appendCompact appends raw JSON to dst without the whitespace between tokens; string
// contents are copied untouched.
func appendCompact(dst []byte, raw string) []byte {
	inString, escaped := false, false
	start := 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			dst = append(dst, raw[start:i]...)
			start = i + 1
		}
	}
	return append(dst, raw[start:]...)
}
