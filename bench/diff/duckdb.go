package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2"
)

// duckdbChild runs in its own process: "join PREV CUR OUT [LIMIT]" writes DuckDB's diff
// of two snapshot files to OUT; "count FILE" prints the changes of a diff file by kind.
func duckdbChild(args []string) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	switch {
	case len(args) == 5 && args[0] == "join":
		if args[4] != "" {
			if _, err := db.Exec("SET memory_limit='" + args[4] + "'"); err != nil {
				return err
			}
		}
		_, err := db.Exec(joinSQL(args[1], args[2], args[3]))
		return err
	case len(args) == 2 && args[0] == "count":
		var c struct{ Added, Modified, Deleted int64 }
		row := db.QueryRow(`SELECT count(*) FILTER (_change = 'ADDED'), count(*) FILTER (_change = 'MODIFIED'),
			count(*) FILTER (_change = 'DELETED') FROM read_parquet(?)`, args[1])
		if err := row.Scan(&c.Added, &c.Modified, &c.Deleted); err != nil {
			return err
		}
		return json.NewEncoder(os.Stdout).Encode(c)
	}
	return fmt.Errorf("usage: join PREV CUR OUT [LIMIT] | count FILE")
}

// joinSQL is the diff as DuckDB users write it: a full outer join on _key comparing
// every data column with IS DISTINCT FROM, with the changed column names and the image.
func joinSQL(prev, cur, out string) string {
	cols := dataColumns()
	var distinct, changed, image []string
	for _, c := range cols {
		distinct = append(distinct, fmt.Sprintf("p.%s IS DISTINCT FROM c.%s", c, c))
		changed = append(changed, fmt.Sprintf("CASE WHEN p.%s IS DISTINCT FROM c.%s THEN '%s' END", c, c, c))
		image = append(image, fmt.Sprintf("CASE WHEN c._key IS NULL THEN p.%s ELSE c.%s END AS %s", c, c, c))
	}
	return fmt.Sprintf(`COPY (
  SELECT CASE WHEN p._key IS NULL THEN 'ADDED' WHEN c._key IS NULL THEN 'DELETED' ELSE 'MODIFIED' END AS _change,
    coalesce(c._key, p._key) AS _key, p._hash AS _prev_hash, c._hash AS _hash,
    CASE WHEN p._key IS NOT NULL AND c._key IS NOT NULL THEN list_filter([%s], x -> x IS NOT NULL) END AS _changed,
    %s
  FROM read_parquet('%s') p FULL OUTER JOIN read_parquet('%s') c ON p._key = c._key
  WHERE p._key IS NULL OR c._key IS NULL OR %s
) TO '%s' (FORMAT parquet, COMPRESSION zstd)`,
		strings.Join(changed, ", "), strings.Join(image, ",\n    "), prev, cur, strings.Join(distinct, " OR "), out)
}
