package httpapi

import "strings"

// splitRecords is the one-pass fast path of record selection over a body already known
// to be valid JSON: it walks a plain dotted path of object keys ("data", "meta.items", or
// "" for the body itself) and returns the raw text of each element of the array found
// there (an object found there is one record; null or a missing key, none). ok is false
// when the path has gjson syntax or a key needs unescaping, or the value is a scalar:
// the caller then takes the general path, which also words the errors.
func splitRecords(text, path string) (out []string, ok bool) {
	i := skipSpace(text, 0)
	if path != "" && path != "@this" {
		if strings.ContainsAny(path, `\|#@*?{}[]!=<>%,:"'`) {
			return nil, false
		}
		for _, key := range strings.Split(path, ".") {
			if i >= len(text) || text[i] != '{' {
				return nil, true // not an object: nothing at the path
			}
			var found bool
			if i, found, ok = findKey(text, i, key); !ok {
				return nil, false
			}
			if !found {
				return nil, true
			}
		}
	}
	if i >= len(text) {
		return nil, true
	}
	switch text[i] {
	case 'n':
		return nil, true
	case '{':
		return []string{text[i:skipValue(text, i)]}, true
	case '[':
	default:
		return nil, false
	}
	out = []string{}
	i = skipSpace(text, i+1)
	if i < len(text) && text[i] == ']' {
		return out, true
	}
	for i < len(text) {
		end := skipValue(text, i)
		out = append(out, text[i:end])
		i = skipSpace(text, end)
		if i >= len(text) || text[i] != ',' {
			break
		}
		i = skipSpace(text, i+1)
	}
	return out, true
}

// findKey looks for key among the members of the object starting at text[i] ('{') and
// returns the start of its value. ok is false when a member name has escapes.
func findKey(text string, i int, key string) (int, bool, bool) {
	i = skipSpace(text, i+1)
	for i < len(text) && text[i] == '"' {
		end := skipString(text, i)
		name := text[i+1 : end-1]
		if strings.IndexByte(name, '\\') >= 0 {
			return 0, false, false
		}
		i = skipSpace(text, end)
		i = skipSpace(text, i+1) // past ':'
		if name == key {
			return i, true, true
		}
		i = skipSpace(text, skipValue(text, i))
		if i < len(text) && text[i] == ',' {
			i = skipSpace(text, i+1)
		}
	}
	return i, false, true
}

// skipValue returns the end of the valid JSON value starting at text[i].
func skipValue(text string, i int) int {
	switch text[i] {
	case '"':
		return skipString(text, i)
	case '{', '[':
		depth := 0
		for i < len(text) {
			switch text[i] {
			case '"':
				i = skipString(text, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(text)
	}
	for i < len(text) {
		switch text[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
		i++
	}
	return i
}

// skipString returns the end (past the closing quote) of the string starting at text[i].
func skipString(text string, i int) int {
	i++
	for {
		j := strings.IndexByte(text[i:], '"')
		if j < 0 {
			return len(text)
		}
		k := i + j
		slashes := 0
		for p := k - 1; p >= i && text[p] == '\\'; p-- {
			slashes++
		}
		if slashes%2 == 0 {
			return k + 1
		}
		i = k + 1
	}
}

func skipSpace(text string, i int) int {
	for i < len(text) {
		switch text[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}
