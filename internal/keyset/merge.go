package keyset

import "errors"

// mergeFrom returns the index of the first run to merge after a run was appended, or
// len(runs)-1 for none. Runs are merged like the digits of a binary counter: the newest
// run absorbs each older neighbour no larger than the runs merged so far, so every run
// is larger than the total of the runs after it, there are at most
// log2(spilled/MemKeys)+1 runs, and a key is rewritten about log2(spilled/MemKeys)/2
// times. Merging all the runs that carry at once, rather than two at a time, writes
// each carry once.
func mergeFrom(runs []*run) int {
	j := len(runs) - 1
	sum := runs[j].n
	for j > 0 && runs[j-1].n <= sum {
		j--
		sum += runs[j].n
	}
	return j
}

// mergeRuns streams the runs in, which hold distinct keys, into one new run appended
// to the spill file, and then releases their space. If the merge fails, in is left as
// it was.
func mergeRuns(sf *spillFile, in []*run) (*run, error) {
	var n int64
	for _, r := range in {
		n += r.n
	}
	w, err := sf.writer(n)
	if err != nil {
		return nil, err
	}
	out, err := mergeInto(w, in)
	if err != nil {
		return nil, err
	}
	sf.commit(out)
	for _, r := range in {
		err = errors.Join(err, sf.release(r))
	}
	return out, err
}

// mergeInto writes the keys of in to w in ascending order, with a linear scan for the
// least current key: there are few runs.
func mergeInto(w *runWriter, in []*run) (*run, error) {
	rs := make([]*runReader, 0, len(in))
	for _, r := range in {
		rr, ok, err := r.reader()
		if err != nil {
			return nil, err
		}
		if ok {
			rs = append(rs, rr)
		}
	}
	for len(rs) > 0 {
		m, least := 0, rs[0].cur()
		for i := 1; i < len(rs); i++ {
			if k := rs[i].cur(); k.less(least) {
				m, least = i, k
			}
		}
		if err := w.add(least); err != nil {
			return nil, err
		}
		ok, err := rs[m].advance()
		if err != nil {
			return nil, err
		}
		if !ok {
			rs = append(rs[:m], rs[m+1:]...)
		}
	}
	return w.finish()
}
