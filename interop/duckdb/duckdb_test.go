package duckdb

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

var postSchema = schema.Schema{Fields: []schema.Field{
	{Name: "id", Type: schema.String},
	{Name: "created_time", Type: schema.Timestamp},
	{Name: "like_count", Type: schema.Int},
	{Name: "owner", Type: schema.Object, Fields: []schema.Field{
		{Name: "id", Type: schema.String},
		{Name: "username", Type: schema.String},
	}},
	{Name: "hashtags", Type: schema.List, Items: &schema.Field{Type: schema.String}},
	{Name: "raw", Type: schema.JSON},
}}

// post is one source record as an API sends it, and what DuckDB must return for it.
type post struct {
	id, created, layout string
	likes               int64
	owner               []string // id, username; nil for a null owner
	tags                []string // nil for a null list
	raw                 string
	want                time.Time
}

var posts = []post{
	{"1784140000000000001", "2024-01-15T10:30:00+0000", "2006-01-02T15:04:05-0700", 42,
		[]string{"9223372036854775807", "brand"}, []string{"#launch", "#summer"}, `{"a":1}`,
		time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)},
	{"1784140000000000002", "2024-01-15T23:59:59.000Z", time.RFC3339Nano, 0,
		[]string{"1784140000000000099", "other"}, []string{}, `[1,2]`,
		time.Date(2024, 1, 15, 23, 59, 59, 0, time.UTC)},
	{"1784140000000000003", "2024-01-16T01:00:00.123456+0200", "2006-01-02T15:04:05.999999-0700", -7,
		nil, nil, `null`,
		time.Date(2024, 1, 15, 23, 0, 0, 123456000, time.UTC)},
}

func (p post) row(t *testing.T) record.Row {
	ts, err := time.Parse(p.layout, p.created)
	if err != nil {
		t.Fatal(err)
	}
	owner := record.Value{Kind: record.Null}
	if p.owner != nil {
		owner = record.Value{Kind: record.Object, L: []record.Value{
			{Kind: record.String, S: p.owner[0]}, {Kind: record.String, S: p.owner[1]}}}
	}
	tags := record.Value{Kind: record.Null}
	if p.tags != nil {
		tags = record.Value{Kind: record.List, L: []record.Value{}}
		for _, s := range p.tags {
			tags.L = append(tags.L, record.Value{Kind: record.String, S: s})
		}
	}
	return record.Row{
		{Kind: record.String, S: p.id},
		{Kind: record.Time, I: ts.UnixMicro()},
		{Kind: record.Int, I: p.likes},
		owner,
		tags,
		{Kind: record.JSON, S: p.raw},
	}
}

// expected returns the values DuckDB's Go driver must scan for p.
func (p post) expected() []any {
	var owner, tags any
	if p.owner != nil {
		owner = map[string]any{"id": p.owner[0], "username": p.owner[1]}
	}
	if p.tags != nil {
		l := []any{}
		for _, s := range p.tags {
			l = append(l, s)
		}
		tags = l
	}
	return []any{p.id, p.want, p.likes, owner, tags, p.raw}
}

func writeFile(t *testing.T) string {
	rows := make([]record.Row, len(posts))
	for i, p := range posts {
		rows[i] = p.row(t)
	}
	return writeParquet(t, "data_20240116T000000Z.parquet", postSchema, format.ParquetOptions{RowGroupRows: 2}, rows)
}

// writeParquet writes rows as a Parquet file of schema s in a temporary folder and
// returns its path.
func writeParquet(t *testing.T, name string, s schema.Schema, opt format.ParquetOptions, rows []record.Row) string {
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := format.NewParquet(f, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// eachRow runs query with args and calls scan on every result row, in order, with its
// index; it returns the number of rows.
func eachRow(t *testing.T, db *sql.DB, query string, scan func(n int, rows *sql.Rows), args ...any) int {
	t.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		scan(n, rows)
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

func openDB(t *testing.T) *sql.DB {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// One connection: the session time zone below must apply to every query.
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("SET TimeZone = 'America/Los_Angeles'"); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestDuckDBReadsColumnTypes(t *testing.T) {
	path := writeFile(t)
	db := openDB(t)
	rows, err := db.Query("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))", path)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got [][2]string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		got = append(got, [2]string{name, typ})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := [][2]string{
		{"id", "VARCHAR"},
		{"created_time", "TIMESTAMP WITH TIME ZONE"},
		{"like_count", "BIGINT"},
		{"owner", "STRUCT(id VARCHAR, username VARCHAR)"},
		{"hashtags", "VARCHAR[]"},
		{"raw", "VARCHAR"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("columns %q, want %q", got, want)
	}
}

func TestDuckDBReadsEveryValue(t *testing.T) {
	path := writeFile(t)
	db := openDB(t)
	rows, err := db.Query("SELECT id, created_time, like_count, owner, hashtags, raw FROM read_parquet(?) ORDER BY id", path)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		got := make([]any, 6)
		ptrs := make([]any, len(got))
		for i := range got {
			ptrs[i] = &got[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		if n >= len(posts) {
			t.Fatalf("extra row %v", got)
		}
		want := posts[n].expected()
		// The driver returns instants in UTC; compare the instant and the zone.
		if ts, ok := got[1].(time.Time); ok {
			if ts.Location() != time.UTC {
				t.Errorf("row %d: created_time in zone %v, want UTC", n, ts.Location())
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("row %d:\n got %s\nwant %s", n, show(got), show(want))
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(posts) {
		t.Fatalf("%d rows, want %d", n, len(posts))
	}
}

// TestDuckDBTimestampText checks the instants as DuckDB itself renders them in UTC, so
// the check does not depend on how the driver converts times.
func TestDuckDBTimestampText(t *testing.T) {
	path := writeFile(t)
	db := openDB(t)
	rows, err := db.Query(`SELECT id, strftime(created_time AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ'),
		epoch_us(created_time) FROM read_parquet(?) ORDER BY id`, path)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := []string{
		"1784140000000000001 2024-01-15T10:30:00.000000Z 1705314600000000",
		"1784140000000000002 2024-01-15T23:59:59.000000Z 1705363199000000",
		"1784140000000000003 2024-01-15T23:00:00.123456Z 1705359600123456",
	}
	var got []string
	for rows.Next() {
		var id, text string
		var us int64
		if err := rows.Scan(&id, &text, &us); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %s %d", id, text, us))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func show(vs []any) string {
	s := ""
	for _, v := range vs {
		s += fmt.Sprintf("%T(%v) ", v, v)
	}
	return s
}

// TestDuckDBReadsManyPages reads back a file of several pages and row groups per
// column: random hex, which is stored as Huffman-coded literals only (zstd's match
// search finds nothing in it), random integers, which compress not at all, and
// booleans and floats (PLAIN), and dictionary-encoded strings: tags of few values, and
// drift, whose dictionary fills up mid-chunk in the first two row groups (the first
// 5,000 rows of a group repeat ten values, the rest are distinct, 100 bytes long and
// zero-padded), so those chunks switch to plain pages, DELTA_BYTE_ARRAY since the values
// share long prefixes. Every value must come back.
func TestDuckDBReadsManyPages(t *testing.T) {
	s := schema.Schema{Fields: []schema.Field{
		{Name: "n", Type: schema.Int},
		{Name: "hex", Type: schema.String},
		{Name: "r", Type: schema.Int},
		{Name: "f", Type: schema.Float},
		{Name: "b", Type: schema.Bool},
		{Name: "tag", Type: schema.String},
		{Name: "drift", Type: schema.String},
	}}
	const rows = 30_000
	x := uint64(1)
	next := func() uint64 { // xorshift: random-looking, reproducible
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return x
	}
	type row struct {
		hex        string
		r          int64
		f          float64
		b          bool
		tag, drift string
	}
	want := make([]row, rows)
	recs := make([]record.Row, rows)
	for i := range want {
		drift := fmt.Sprintf("few-%096d", i%10)
		if i%12_000 >= 5_000 {
			drift = fmt.Sprintf("many-%095d", i)
		}
		want[i] = row{fmt.Sprintf("%016x%016x", next(), next()), int64(next()), float64(i) / 7, i%3 == 0, fmt.Sprintf("tag-%d", i%37), drift}
		recs[i] = record.Row{
			{Kind: record.Int, I: int64(i)}, {Kind: record.String, S: want[i].hex}, {Kind: record.Int, I: want[i].r},
			{Kind: record.Float, F: want[i].f}, {Kind: record.Bool, I: map[bool]int64{true: 1}[want[i].b]},
			{Kind: record.String, S: want[i].tag}, {Kind: record.String, S: want[i].drift},
		}
	}
	path := writeParquet(t, "pages.parquet", s, format.ParquetOptions{RowGroupRows: 12_000}, recs)
	db := openDB(t)
	n := eachRow(t, db, "SELECT n, hex, r, f, b, tag, drift FROM read_parquet(?) ORDER BY n", func(n int, res *sql.Rows) {
		var i int64
		var got row
		if err := res.Scan(&i, &got.hex, &got.r, &got.f, &got.b, &got.tag, &got.drift); err != nil {
			t.Fatal(err)
		}
		if i != int64(n) || got != want[n] {
			t.Fatalf("row %d: got %d %+v, want %d %+v", n, i, got, n, want[n])
		}
	}, path)
	if n != rows {
		t.Fatalf("%d rows, want %d", n, rows)
	}
	// The hex column is Huffman-coded: about half its size, as DuckDB's own reading of
	// the footer shows.
	var comp, raw int64
	err := db.QueryRow("SELECT sum(total_compressed_size), sum(total_uncompressed_size) FROM parquet_metadata(?) WHERE path_in_schema = 'hex'", path).Scan(&comp, &raw)
	if err != nil {
		t.Fatal(err)
	}
	if comp == 0 || float64(comp) > 0.6*float64(raw) {
		t.Fatalf("hex column: %d bytes compressed of %d, want at most 60%%", comp, raw)
	}
	// DuckDB's reading of the footer: which chunks have a dictionary, and their encodings.
	var chunks []string
	eachRow(t, db, "SELECT path_in_schema, row_group_id, dictionary_page_offset IS NOT NULL, encodings FROM parquet_metadata(?) WHERE path_in_schema IN ('hex', 'tag', 'drift') ORDER BY path_in_schema, row_group_id", func(_ int, enc *sql.Rows) {
		var col, encodings string
		var group int
		var dict bool
		if err := enc.Scan(&col, &group, &dict, &encodings); err != nil {
			t.Fatal(err)
		}
		chunks = append(chunks, fmt.Sprintf("%s %d %v %s", col, group, dict, encodings))
	}, path)
	wantChunks := []string{
		"drift 0 true RLE, PLAIN, RLE_DICTIONARY, DELTA_BYTE_ARRAY",
		"drift 1 true RLE, PLAIN, RLE_DICTIONARY, DELTA_BYTE_ARRAY",
		"drift 2 true RLE, PLAIN, RLE_DICTIONARY",
		"hex 0 false RLE, DELTA_LENGTH_BYTE_ARRAY",
		"hex 1 false RLE, DELTA_LENGTH_BYTE_ARRAY",
		"hex 2 false RLE, DELTA_LENGTH_BYTE_ARRAY",
		"tag 0 true RLE, PLAIN, RLE_DICTIONARY",
		"tag 1 true RLE, PLAIN, RLE_DICTIONARY",
		"tag 2 true RLE, PLAIN, RLE_DICTIONARY",
	}
	if got := strings.Join(chunks, "\n"); got != strings.Join(wantChunks, "\n") {
		t.Fatalf("column chunks as DuckDB reads them:\n%s\nwant:\n%s", got, strings.Join(wantChunks, "\n"))
	}
}

// TestDuckDBFiltersWithTheStatistics filters on values that only exact statistics and
// page bounds let through: DuckDB skips row groups and pages by them, so a wrong bound
// loses rows silently. The empty string is the first page's minimum.
func TestDuckDBFiltersWithTheStatistics(t *testing.T) {
	s := schema.Schema{Fields: []schema.Field{{Name: "s", Type: schema.String}, {Name: "f", Type: schema.Float}}}
	row := func(sv string, fv float64) record.Row {
		return record.Row{{Kind: record.String, S: sv}, {Kind: record.Float, F: fv}}
	}
	rows := []record.Row{row("", 0), row("zzz", -2.5)}
	for i := range 4000 {
		rows = append(rows, row(fmt.Sprintf("m%099d", i), float64(i)))
	}
	path := writeParquet(t, "bounds.parquet", s, format.ParquetOptions{}, rows)
	db := openDB(t)
	cases := []struct {
		where string
		want  int64
	}{
		{"s = 'zzz'", 1},
		{"s = ''", 1},
		{"s > 'y'", 1},
		{"s LIKE 'm%'", 4000},
		{"f < -1", 1},
		{"f = 0", 2},
	}
	for _, tc := range cases {
		var n int64
		if err := db.QueryRow("SELECT count(*) FROM read_parquet(?) WHERE "+tc.where, path).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != tc.want {
			t.Errorf("WHERE %s: %d rows, want %d", tc.where, n, tc.want)
		}
	}
}

// TestDuckDBReadsNullPagesOfADictionary reads a dictionary-encoded column whose second
// page holds only nulls (a dictionary page of no indexes) between pages of values.
func TestDuckDBReadsNullPagesOfADictionary(t *testing.T) {
	s := schema.Schema{Fields: []schema.Field{{Name: "n", Type: schema.Int}, {Name: "sparse", Type: schema.String}}}
	const values, nulls = 1103, 114688 // 100-byte values fill the first page, the nulls the second
	var recs []record.Row
	for i := range values + nulls + 300 {
		v := record.Value{Kind: record.Null}
		if i < values || i >= values+nulls {
			v = record.Value{Kind: record.String, S: fmt.Sprintf("%0100d", i%7)}
		}
		recs = append(recs, record.Row{{Kind: record.Int, I: int64(i)}, v})
	}
	path := writeParquet(t, "sparse.parquet", s, format.ParquetOptions{}, recs)
	db := openDB(t)
	n := eachRow(t, db, "SELECT n, sparse FROM read_parquet(?) ORDER BY n", func(n int, res *sql.Rows) {
		var i int64
		var got sql.NullString
		if err := res.Scan(&i, &got); err != nil {
			t.Fatal(err)
		}
		want := recs[n][1]
		if i != int64(n) || got.Valid != (want.Kind == record.String) || got.String != want.S {
			t.Fatalf("row %d: got %d %v, want %d %+v", n, i, got, n, want)
		}
	}, path)
	if n != len(recs) {
		t.Fatalf("%d rows, want %d", n, len(recs))
	}
	var encodings string
	if err := db.QueryRow("SELECT encodings FROM parquet_metadata(?) WHERE path_in_schema = 'sparse'", path).Scan(&encodings); err != nil {
		t.Fatal(err)
	}
	if encodings != "RLE, PLAIN, RLE_DICTIONARY" {
		t.Fatalf("encodings %q, want dictionary pages only", encodings)
	}
}
