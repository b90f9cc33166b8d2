// Package snapshot writes and reads snapshot files, the full captures of streams whose
// API has no date filter, and compares two of them: the diff engine.
//
// A snapshot file is a Parquet file (see format.NewParquet) whose columns are the
// stream's data columns followed by three system columns: _key (the record key text),
// _hash (the lower-case hex xxh3-128 content hash) and _absent (the dotted paths of the
// declared fields the API did not send, null when there are none). Parquet stores both a
// JSON null and a missing field as a null; _absent keeps them apart.
//
// Diff compares two snapshot files by key in bounded memory. It reads only the _key and
// _hash columns of both files, partitions the keys by hash into buckets (spilled to a
// temporary directory when they outgrow the memory budget), classifies every key in
// parallel, and only then reads the full rows of the keys that were added, modified or
// deleted, writing one diff row per change (see DiffSchema).
package snapshot

// The system columns of a snapshot file.
const (
	// KeyColumn holds the record key text (as record.Hasher.Identify writes it).
	KeyColumn = "_key"
	// HashColumn holds the lower-case hex of the record's 16-byte content hash.
	HashColumn = "_hash"
	// AbsentColumn holds the dotted paths of the fields that were absent, or null.
	AbsentColumn = "_absent"
)

// The columns a diff file adds before the image columns.
const (
	// ChangeColumn holds ADDED, MODIFIED or DELETED.
	ChangeColumn = "_change"
	// PrevHashColumn holds the previous content hash (null for ADDED).
	PrevHashColumn = "_prev_hash"
	// ChangedColumn lists the changed fields of a MODIFIED row (null otherwise).
	ChangedColumn = "_changed"
)

// Change is the kind of a diff row.
type Change string

// The kinds of changes.
const (
	Added    Change = "ADDED"
	Modified Change = "MODIFIED"
	Deleted  Change = "DELETED"
)
