package httpapi

import (
	"fmt"
	"strconv"
)

// cursorPaginator puts the token a response holds at path into the next request's param.
type cursorPaginator struct {
	path  string
	param pageParam
}

func (c cursorPaginator) Next(prev *Request, resp *Response, _ int) (*Request, error) {
	token, quoted, err := jsonValue(resp.lookup(c.path), c.path)
	if err != nil {
		return nil, fmt.Errorf("pagination cursor: %w", err)
	}
	if token == "" {
		return nil, nil
	}
	was, _, ok, err := c.param.get(prev)
	if err != nil {
		return nil, fmt.Errorf("pagination cursor: %w", err)
	}
	if ok && was == token {
		return nil, fmt.Errorf("pagination did not advance: the response's %s repeats the request's %s=%s",
			c.path, c.param.name, strconv.Quote(token))
	}
	next := prev.Clone()
	if err := c.param.set(next, token, quoted); err != nil {
		return nil, fmt.Errorf("pagination cursor: %w", err)
	}
	return next, nil
}
