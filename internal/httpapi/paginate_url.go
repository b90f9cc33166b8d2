package httpapi

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/tidwall/gjson"
)

// nextURLPaginator follows the URL a response holds at path.
type nextURLPaginator struct{ path string }

func (n nextURLPaginator) Next(prev *Request, resp *Response, _ int) (*Request, error) {
	ref := resp.lookup(n.path)
	if ref.Type != gjson.String && ref.Type != gjson.Null {
		return nil, fmt.Errorf("pagination next_url: %s holds %s, not a URL", n.path, ref.Type)
	}
	if ref.Str == "" {
		return nil, nil
	}
	return followURL(prev, ref.Str)
}

// linkPaginator follows the Link header target with relation rel.
type linkPaginator struct{ rel string }

func (l linkPaginator) Next(prev *Request, resp *Response, _ int) (*Request, error) {
	links, err := parseLinkHeader(resp.Header.Values("Link"))
	if err != nil {
		return nil, fmt.Errorf("pagination link_header: %w", err)
	}
	for _, lk := range links {
		for _, r := range lk.rels {
			if strings.EqualFold(r, l.rel) {
				return followURL(prev, lk.target)
			}
		}
	}
	return nil, nil
}

// followURL returns the request for the next-page URL ref: prev's method, headers and
// body, no separate query (ref carries it), and ref itself as the URL when it is absolute,
// so the API's own encoding is kept byte for byte. ref must keep prev's scheme and host,
// since the request pipeline sends credentials with it.
func followURL(prev *Request, ref string) (*Request, error) {
	base, err := url.Parse(prev.URL)
	if err != nil {
		return nil, fmt.Errorf("pagination: previous request URL: %w", err)
	}
	u, err := url.Parse(ref)
	if err != nil {
		return nil, fmt.Errorf("pagination: the API's next page URL does not parse: %w", err)
	}
	target := ref
	if !u.IsAbs() {
		u = base.ResolveReference(u)
		target = u.String()
	}
	if u.Scheme != base.Scheme || !strings.EqualFold(u.Host, base.Host) {
		return nil, fmt.Errorf("pagination: refusing the next page URL on %s://%s: requests of this chain go to %s://%s, and credentials must not be sent elsewhere",
			u.Scheme, u.Host, base.Scheme, base.Host)
	}
	if sameURL(u, base, prev.Query) {
		return nil, fmt.Errorf("pagination did not advance: the next page URL repeats the previous request (%s://%s%s)",
			u.Scheme, u.Host, u.Path)
	}
	next := prev.Clone()
	next.URL = target
	next.Query = url.Values{}
	return next, nil
}

// sameURL reports whether u is the URL base with query merged in, ignoring the order of
// query parameters.
func sameURL(u, base *url.URL, query url.Values) bool {
	q := base.Query()
	for k, v := range query {
		q[k] = v
	}
	return u.Scheme == base.Scheme && strings.EqualFold(u.Host, base.Host) &&
		u.EscapedPath() == base.EscapedPath() && u.Query().Encode() == q.Encode()
}

// webLink is one link of an RFC 8288 Link header.
type webLink struct {
	target string
	rels   []string
}

// parseLinkHeader parses Link header values: `<uri>; rel="next prev"; p=v, <uri2>; ...`.
func parseLinkHeader(values []string) ([]webLink, error) {
	var out []webLink
	s := strings.Join(values, ",")
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return out, nil
		}
		if s[0] != '<' {
			return nil, fmt.Errorf("malformed Link header: expected <uri>")
		}
		end := strings.IndexByte(s, '>')
		if end < 0 {
			return nil, fmt.Errorf("malformed Link header: unterminated <uri>")
		}
		lk := webLink{target: s[1:end]}
		s = s[end+1:]
		for {
			s = strings.TrimLeft(s, " \t")
			if s == "" || s[0] == ',' {
				break
			}
			if s[0] != ';' {
				return nil, fmt.Errorf("malformed Link header: expected ; or , after a link")
			}
			var name, value string
			name, value, s = linkParam(s[1:])
			if strings.EqualFold(name, "rel") {
				lk.rels = append(lk.rels, strings.Fields(value)...)
			}
		}
		out = append(out, lk)
	}
}

// linkParam reads one `name=value` or `name="quoted value"` link parameter from s and
// returns the rest of s.
func linkParam(s string) (name, value, rest string) {
	s = strings.TrimLeft(s, " \t")
	i := strings.IndexAny(s, "=;,")
	if i < 0 {
		return strings.TrimSpace(s), "", ""
	}
	name = strings.TrimSpace(s[:i])
	if s[i] != '=' {
		return name, "", s[i:]
	}
	s = strings.TrimLeft(s[i+1:], " \t")
	if strings.HasPrefix(s, `"`) {
		var b strings.Builder
		for j := 1; j < len(s); j++ {
			switch s[j] {
			case '\\':
				if j+1 < len(s) {
					j++
					b.WriteByte(s[j])
				}
			case '"':
				return name, b.String(), s[j+1:]
			default:
				b.WriteByte(s[j])
			}
		}
		return name, b.String(), ""
	}
	j := strings.IndexAny(s, ";,")
	if j < 0 {
		return name, strings.TrimSpace(s), ""
	}
	return name, strings.TrimSpace(s[:j]), s[j:]
}
