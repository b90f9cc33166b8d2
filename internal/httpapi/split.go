package httpapi

import "strings"

// pathSyntax holds the bytes that make a records path more than plain dotted keys.
const pathSyntax = `\|#@*?{}[]!=<>%,:"'`

// splitOutcome is what splitValid concluded about a body.
type splitOutcome int

const (
	splitInvalid  splitOutcome = iota // the body is not valid JSON
	splitDone                         // the body is valid; the records are selected
	splitDeferred                     // the body is valid; the general path selects
)

// jsonScan selects records while the scanner of jsonscan.go validates a body: it follows
// keys, the object keys of a plain dotted path, and collects in out the raw text of each
// element of the array found there. Every value off that path is only validated.
type jsonScan struct {
	text string
	keys []string
	// out is the records found at the path; nil when none was found there.
	out []string
	// deferred is set when the value at the path is a scalar, or a member name that had
	// to be compared with a key holds escapes: the general path selects the records.
	deferred bool
	// top indexes the members of the body when it is an object scanned along a path;
	// topEscaped is set when a member name there holds escapes (the index is unusable).
	top        []member
	topEscaped bool
}

// splitValid is record selection and validation in one pass over the body: it accepts
// exactly the bodies gjson.Valid accepts and, when the body is valid, selects the same
// records as splitRecords. splitDeferred stands for splitRecords' ok == false: the path
// has gjson syntax, a member name compared with the path holds escapes, or the value at
// the path is a scalar.
func splitValid(text, path string) ([]string, splitOutcome) {
	out, _, how := splitValidIndexed(text, path)
	return out, how
}

// splitValidIndexed is splitValid that also returns the index of the body's top-level
// members when it walked them (nil otherwise), so later lookups of the pagination paths
// need not scan the body again.
func splitValidIndexed(text, path string) ([]string, *topIndex, splitOutcome) {
	s := jsonScan{text: text}
	general := path != "" && path != "@this" && strings.ContainsAny(path, pathSyntax)
	var end int
	var ok bool
	if general {
		end, ok = scanValue(text, 0)
	} else {
		if path != "" && path != "@this" {
			s.keys = strings.Split(path, ".")
		}
		end, ok = s.pathValue(0, 0)
	}
	switch {
	case !ok || skipSpace(text, end) != len(text):
		return nil, nil, splitInvalid
	case general || s.deferred:
		return nil, nil, splitDeferred
	}
	var top *topIndex
	if s.top != nil && !s.topEscaped {
		top = &topIndex{text: text, members: s.top}
	}
	return s.out, top, splitDone
}

// pathValue validates the value at text[i] (after optional whitespace), the value at
// depth d of the path, and selects its records when d is the path's end.
func (s *jsonScan) pathValue(i, d int) (int, bool) {
	t := s.text
	i = skipSpace(t, i)
	if i >= len(t) {
		return i, false
	}
	if d < len(s.keys) {
		if t[i] == '{' {
			return s.pathObject(i+1, d)
		}
		return scanValue(t, i) // not an object: nothing at the path
	}
	switch t[i] {
	case '[':
		return s.records(i + 1)
	case '{':
		end, ok := scanObject(t, i+1)
		if ok {
			s.out = []string{t[i:end]}
		}
		return end, ok
	case 'n':
		return scanValue(t, i)
	}
	s.deferred = true
	return scanValue(t, i)
}

// pathObject validates the object whose '{' is at text[i-1], the value at depth d of the
// path, following its first member named keys[d].
func (s *jsonScan) pathObject(i, d int) (int, bool) {
	t := s.text
	i = skipSpace(t, i)
	if i < len(t) && t[i] == '}' {
		return i + 1, true
	}
	found := false
	for {
		if i >= len(t) || t[i] != '"' {
			return i, false
		}
		start := i + 1
		end, escaped, ok := scanString(t, start)
		if !ok {
			return end, false
		}
		if i = skipSpace(t, end); i >= len(t) || t[i] != ':' {
			return i, false
		}
		if d == 0 {
			s.topEscaped = s.topEscaped || escaped
			s.top = append(s.top, member{name: t[start : end-1], start: skipSpace(t, i+1)})
		}
		follow := false
		if !found {
			switch {
			case escaped:
				// The name would have to be unescaped to be compared: the general path
				// selects, and this scan only validates from here on.
				s.deferred, found = true, true
			case t[start:end-1] == s.keys[d]:
				follow, found = true, true
			}
		}
		if follow {
			i, ok = s.pathValue(i+1, d+1)
		} else {
			i, ok = scanValue(t, i+1)
		}
		if !ok {
			return i, false
		}
		if d == 0 {
			s.top[len(s.top)-1].end = i
		}
		if i, ok = nextMember(t, i, '}'); !ok || t[i-1] == '}' {
			return i, ok
		}
	}
}

// records validates the array whose '[' is at text[i-1], the value at the path, and
// collects the raw text of each element.
func (s *jsonScan) records(i int) (int, bool) {
	t := s.text
	s.out = []string{}
	i = skipSpace(t, i)
	if i < len(t) && t[i] == ']' {
		return i + 1, true
	}
	for {
		start := i
		var ok bool
		if i, ok = scanValue(t, i); !ok {
			return i, false
		}
		s.out = append(s.out, t[start:i])
		if i, ok = nextMember(t, i, ']'); !ok || t[i-1] == ']' {
			return i, ok
		}
	}
}

// splitRecords is the one-pass fast path of record selection over a body already known
// to be valid JSON: it walks a plain dotted path of object keys ("data", "meta.items", or
// "" for the body itself) and returns the raw text of each element of the array found
// there (an object found there is one record; null or a missing key, none). ok is false
// when the path has gjson syntax or a key needs unescaping, or the value is a scalar:
// the caller then takes the general path, which also words the errors.
func splitRecords(text, path string) (out []string, ok bool) {
	i := skipSpace(text, 0)
	if path != "" && path != "@this" {
		if strings.ContainsAny(path, pathSyntax) {
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
	for i < len(text) && text[i] <= ' ' && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n') {
		i++
	}
	return i
}
