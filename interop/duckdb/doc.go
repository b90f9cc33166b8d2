// Package duckdb checks that DuckDB reads the Parquet files sluice writes: exact 19-digit
// string ids, timestamps as TIMESTAMP WITH TIME ZONE, nested objects and lists. It is a
// separate module so the sluice binary never links DuckDB; run it with run.sh.
package duckdb
