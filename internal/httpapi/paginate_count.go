package httpapi

import (
	"fmt"
	"strconv"
)

// countPaginator is offset (pages false) and page-number (pages true) pagination.
type countPaginator struct {
	pages      bool
	param      pageParam
	start      int
	limitParam pageParam // may have no name
	limit      int       // 0: read limitParam from the request
	totalPath  string    // the total record count in the body
}

func (c countPaginator) Next(prev *Request, resp *Response, records int) (*Request, error) {
	if records == 0 {
		return nil, nil
	}
	limit, err := c.pageSize(prev)
	if err != nil {
		return nil, err
	}
	if limit > 0 && records < limit {
		return nil, nil
	}
	cur := c.start
	text, quoted, ok, err := c.param.get(prev)
	if err != nil {
		return nil, fmt.Errorf("pagination: %w", err)
	}
	if ok {
		if cur, err = strconv.Atoi(text); err != nil {
			return nil, fmt.Errorf("pagination: request's %s=%q is not an integer", c.param.name, text)
		}
	}
	// consumed is how many records the chain has walked past, for TotalPath; -1: unknown.
	next, consumed := cur+records, cur+records-c.start
	if c.pages {
		next, consumed = cur+1, -1
		if limit > 0 {
			consumed = (cur-c.start)*limit + records
		}
	}
	if c.totalPath != "" && consumed >= 0 {
		total := resp.lookup(c.totalPath)
		if total.Exists() && int64(consumed) >= total.Int() {
			return nil, nil
		}
	}
	req := prev.Clone()
	if err := c.param.set(req, strconv.Itoa(next), ok && quoted); err != nil {
		return nil, fmt.Errorf("pagination: %w", err)
	}
	return req, nil
}

// pageSize is the configured limit, else the one the request sends, else 0 (unknown).
func (c countPaginator) pageSize(prev *Request) (int, error) {
	if c.limit > 0 || c.limitParam.name == "" {
		return c.limit, nil
	}
	text, _, ok, err := c.limitParam.get(prev)
	if err != nil || !ok {
		return 0, err
	}
	n, err := strconv.Atoi(text)
	if err != nil {
		return 0, fmt.Errorf("pagination: request's %s=%q is not an integer", c.limitParam.name, text)
	}
	return n, nil
}
