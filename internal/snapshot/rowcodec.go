package snapshot

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/sluice-dev/sluice/internal/record"
)

// fetched is one full row read back for the output: its ordinal, key text and data
// values (Absent restored).
type fetched struct {
	ord int64
	key string
	row record.Row
}

// appendFetched encodes a fetched row for spilling.
func appendFetched(dst []byte, f *fetched) []byte {
	dst = binary.AppendUvarint(dst, uint64(f.ord))
	dst = binary.AppendUvarint(dst, uint64(len(f.key)))
	dst = append(dst, f.key...)
	dst = binary.AppendUvarint(dst, uint64(len(f.row)))
	for i := range f.row {
		dst = appendValue(dst, &f.row[i])
	}
	return dst
}

func appendValue(dst []byte, v *record.Value) []byte {
	dst = append(dst, byte(v.Kind))
	switch v.Kind {
	case record.Bool, record.Int, record.Time, record.Date:
		dst = binary.AppendVarint(dst, v.I)
	case record.Float:
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v.F))
	case record.String, record.JSON:
		dst = binary.AppendUvarint(dst, uint64(len(v.S)))
		dst = append(dst, v.S...)
	case record.List, record.Object:
		dst = binary.AppendUvarint(dst, uint64(len(v.L)))
		for i := range v.L {
			dst = appendValue(dst, &v.L[i])
		}
	}
	return dst
}

var errCorrupt = errors.New("corrupt spill record")

// rowDecoder decodes encoded fetched rows.
type rowDecoder struct{ b []byte }

func (d *rowDecoder) uvarint() (uint64, error) {
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		return 0, errCorrupt
	}
	d.b = d.b[n:]
	return x, nil
}

func (d *rowDecoder) text() (string, error) {
	n, err := d.uvarint()
	if err != nil || n > uint64(len(d.b)) {
		return "", errCorrupt
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s, nil
}

// next decodes one fetched row.
func (d *rowDecoder) next() (fetched, error) {
	var f fetched
	ord, err := d.uvarint()
	if err != nil {
		return f, err
	}
	f.ord = int64(ord)
	if f.key, err = d.text(); err != nil {
		return f, err
	}
	if f.row, err = d.values(); err != nil {
		return f, err
	}
	return f, nil
}

func (d *rowDecoder) values() ([]record.Value, error) {
	n, err := d.uvarint()
	if err != nil || n > uint64(len(d.b)) {
		return nil, errCorrupt
	}
	vals := make([]record.Value, n)
	for i := range vals {
		if vals[i], err = d.value(); err != nil {
			return nil, err
		}
	}
	return vals, nil
}

func (d *rowDecoder) value() (record.Value, error) {
	if len(d.b) == 0 {
		return record.Value{}, errCorrupt
	}
	v := record.Value{Kind: record.Kind(d.b[0])}
	d.b = d.b[1:]
	var err error
	switch v.Kind {
	case record.Absent, record.Null:
	case record.Bool, record.Int, record.Time, record.Date:
		x, n := binary.Varint(d.b)
		if n <= 0 {
			return v, errCorrupt
		}
		v.I, d.b = x, d.b[n:]
	case record.Float:
		if len(d.b) < 8 {
			return v, errCorrupt
		}
		v.F, d.b = math.Float64frombits(binary.LittleEndian.Uint64(d.b)), d.b[8:]
	case record.String, record.JSON:
		v.S, err = d.text()
	case record.List, record.Object:
		v.L, err = d.values()
	default:
		err = errCorrupt
	}
	return v, err
}
