package snapshot

import (
	"encoding/binary"
	"errors"
	"math"
	"unsafe"

	"github.com/sluice-dev/sluice/internal/record"
)

// fetched is one full row read back for the output: its ordinal, key text and data
// values (Absent restored), encoded and, unless decoding was deferred, decoded.
type fetched struct {
	ord int64
	key string
	enc []byte // the values as encoded: their count, then each value
	row record.Row
}

// A fetched row is encoded as appendFetchedHead followed by each of its values
// (appendValue); rowDecoder reads it back.

// appendFetchedHead encodes what precedes the values of a fetched row: its ordinal, key
// and number of values.
func appendFetchedHead(dst []byte, ord int64, key string, values int) []byte {
	dst = binary.AppendUvarint(dst, uint64(ord))
	dst = binary.AppendUvarint(dst, uint64(len(key)))
	dst = append(dst, key...)
	return binary.AppendUvarint(dst, uint64(values))
}

func appendValue(dst []byte, v *record.Value) []byte {
	if v.Kind == record.String || v.Kind == record.JSON {
		return appendText(dst, v.Kind, v.S)
	}
	dst = append(dst, byte(v.Kind))
	switch v.Kind {
	case record.Bool, record.Int, record.Time, record.Date:
		dst = binary.AppendVarint(dst, v.I)
	case record.Float:
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v.F))
	case record.List, record.Object:
		dst = binary.AppendUvarint(dst, uint64(len(v.L)))
		for i := range v.L {
			dst = appendValue(dst, &v.L[i])
		}
	}
	return dst
}

// appendText appends the encoding of a String or JSON value s of kind k.
func appendText(dst []byte, k record.Kind, s string) []byte {
	dst = append(dst, byte(k))
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

var errCorrupt = errors.New("corrupt spill record")

// rowDecoder decodes encoded fetched rows. Decoded strings alias the encoded bytes,
// which must not change while they are in use; value slices come from vals.
type rowDecoder struct {
	b    []byte
	vals *valueSlab
}

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
	if n == 0 {
		return "", nil
	}
	s := unsafe.String(&d.b[0], n)
	d.b = d.b[n:]
	return s, nil
}

// next decodes one fetched row; with lazy, it only delimits the row's values (f.row is
// nil, see decodeRow).
func (d *rowDecoder) next(lazy bool) (fetched, error) {
	var f fetched
	ord, err := d.uvarint()
	if err != nil {
		return f, err
	}
	f.ord = int64(ord)
	if f.key, err = d.text(); err != nil {
		return f, err
	}
	start := d.b
	if lazy {
		err = d.skipValues()
	} else {
		f.row, err = d.values()
	}
	if err != nil {
		return f, err
	}
	f.enc = start[:len(start)-len(d.b)]
	return f, nil
}

// decodeRow returns the values of f, decoding them from f.enc (into vals) when next
// deferred it.
func decodeRow(f *fetched, vals *valueSlab) (record.Row, error) {
	if f.row != nil {
		return f.row, nil
	}
	d := rowDecoder{b: f.enc, vals: vals}
	return d.values()
}

// skipValues moves past a count of values and the values.
func (d *rowDecoder) skipValues() error {
	n, err := d.uvarint()
	if err != nil || n > uint64(len(d.b)) {
		return errCorrupt
	}
	for range n {
		if err := d.skip(); err != nil {
			return err
		}
	}
	return nil
}

// skip moves past one value.
func (d *rowDecoder) skip() error {
	if len(d.b) == 0 {
		return errCorrupt
	}
	k := record.Kind(d.b[0])
	d.b = d.b[1:]
	switch k {
	case record.Absent, record.Null:
	case record.Bool, record.Int, record.Time, record.Date:
		_, n := binary.Varint(d.b)
		if n <= 0 {
			return errCorrupt
		}
		d.b = d.b[n:]
	case record.Float:
		if len(d.b) < 8 {
			return errCorrupt
		}
		d.b = d.b[8:]
	case record.String, record.JSON:
		n, err := d.uvarint()
		if err != nil || n > uint64(len(d.b)) {
			return errCorrupt
		}
		d.b = d.b[n:]
	case record.List, record.Object:
		return d.skipValues()
	default:
		return errCorrupt
	}
	return nil
}

func (d *rowDecoder) values() ([]record.Value, error) {
	n, err := d.uvarint()
	if err != nil || n > uint64(len(d.b)) {
		return nil, errCorrupt
	}
	vals := d.vals.take(int(n))
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
