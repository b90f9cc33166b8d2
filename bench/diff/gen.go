package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
	"github.com/sluice-dev/sluice/internal/snapshot"
)

// dataSchema is the benchmark record: 10 columns of mixed types.
func dataSchema() schema.Schema {
	return schema.Schema{Fields: []schema.Field{
		{Name: "id", Type: schema.Int},
		{Name: "handle", Type: schema.String},
		{Name: "name", Type: schema.String},
		{Name: "followers", Type: schema.Int},
		{Name: "following", Type: schema.Int},
		{Name: "score", Type: schema.Float},
		{Name: "verified", Type: schema.Bool},
		{Name: "created", Type: schema.Timestamp},
		{Name: "country", Type: schema.String},
		{Name: "posts", Type: schema.Int},
	}}
}

// dataColumns lists the data column names, for the DuckDB query.
func dataColumns() []string {
	var names []string
	for _, f := range dataSchema().Fields {
		names = append(names, f.Name)
	}
	return names
}

// mix is splitmix64: a fixed pseudo-random function of i.
func mix(i uint64) uint64 {
	i += 0x9e3779b97f4a7c15
	i = (i ^ (i >> 30)) * 0xbf58476d1ce4e5b9
	i = (i ^ (i >> 27)) * 0x94d049bb133111eb
	return i ^ (i >> 31)
}

// fate decides what happens to id in the current snapshot: 1% deleted, 5% modified.
func fate(id int64) string {
	switch x := mix(uint64(id)^0xd1ff) % 100; {
	case x < 1:
		return "deleted"
	case x < 6:
		return "modified"
	}
	return "same"
}

// countries holds ten two-letter country codes.
const countries = "USBRDEFRINJPGBNGMXID"

// fill sets row to the record of id; modified records have more followers.
func fill(row record.Row, id int64, modified bool, handle, name []byte) {
	r := mix(uint64(id))
	handle = strconv.AppendInt(append(handle[:0], "user_"...), id, 10)
	name = strconv.AppendUint(append(name[:0], "Name "...), r%1000003, 36)
	followers := int64(r % 1_000_000)
	if modified {
		followers += 1 + int64(r%7)
	}
	row[0] = record.Value{Kind: record.Int, I: id}
	row[1] = record.Value{Kind: record.String, S: string(handle)}
	row[2] = record.Value{Kind: record.String, S: string(name)}
	row[3] = record.Value{Kind: record.Int, I: followers}
	row[4] = record.Value{Kind: record.Int, I: int64(r>>20) % 5000}
	row[5] = record.Value{Kind: record.Float, F: float64(r>>40%100000) / 100}
	row[6] = record.Value{Kind: record.Bool, I: int64(r >> 63)}
	row[7] = record.Value{Kind: record.Time, I: 1262304000_000000 + int64(r>>8%(400_000_000))*1_000_000}
	c := r >> 50 % 10 * 2
	row[8] = record.Value{Kind: record.String, S: countries[c : c+2]}
	row[9] = record.Value{Kind: record.Int, I: int64(r>>33) % 20000}
}

// expected counts of the diff of the generated pair.
type expected struct{ added, modified, deleted int64 }

// generate writes prev (ids 0..n-1) and cur (the survivors, some modified, plus n/100
// new ids) into dir, in parallel, and returns their paths and the expected counts.
func generate(dir string, n int64) (string, string, expected, error) {
	prev, cur := filepath.Join(dir, "prev.parquet"), filepath.Join(dir, "cur.parquet")
	var exp expected
	for id := range n {
		switch fate(id) {
		case "deleted":
			exp.deleted++
		case "modified":
			exp.modified++
		}
	}
	exp.added = n / 100
	errs := make(chan error, 2)
	go func() { errs <- writeSnapshot(prev, n, false) }()
	go func() { errs <- writeSnapshot(cur, n, true) }()
	for range 2 {
		if err := <-errs; err != nil {
			return "", "", exp, err
		}
	}
	return prev, cur, exp, nil
}

func writeSnapshot(path string, n int64, current bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	s := dataSchema()
	w, err := snapshot.NewWriter(bw, s, format.ParquetOptions{})
	if err != nil {
		return err
	}
	var h record.Hasher
	row := make(record.Row, len(s.Fields))
	var handle, name, key []byte
	pk := []int{0}
	write := func(id int64, modified bool) error {
		fill(row, id, modified, handle, name)
		var sum [16]byte
		_, sum, key = h.Identify(key[:0], s, row, pk)
		return w.Write(row, string(key), sum)
	}
	for id := range n {
		fa := "same"
		if current {
			fa = fate(id)
		}
		if fa == "deleted" {
			continue
		}
		if err := write(id, fa == "modified"); err != nil {
			return err
		}
	}
	if current {
		for id := n; id < n+n/100; id++ {
			if err := write(id, false); err != nil {
				return err
			}
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}
