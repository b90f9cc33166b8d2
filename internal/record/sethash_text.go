package record

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// MarshalText encodes the accumulator itself (not its digest) as 48 hex digits: the
// 16-byte big-endian sum and the 8-byte big-endian count. A checkpoint stores it so that
// a resumed run can merge the staged parts' hashes without reading them again.
func (h SetHash) MarshalText() ([]byte, error) {
	var b [24]byte
	binary.BigEndian.PutUint64(b[0:], h.hi)
	binary.BigEndian.PutUint64(b[8:], h.lo)
	binary.BigEndian.PutUint64(b[16:], h.n)
	return []byte(hex.EncodeToString(b[:])), nil
}

// UnmarshalText decodes what MarshalText wrote.
func (h *SetHash) UnmarshalText(text []byte) error {
	var b [24]byte
	if hex.DecodedLen(len(text)) != len(b) {
		return fmt.Errorf("set hash state: want %d hex digits, got %d", 2*len(b), len(text))
	}
	if _, err := hex.Decode(b[:], text); err != nil {
		return fmt.Errorf("set hash state: %w", err)
	}
	h.hi = binary.BigEndian.Uint64(b[0:])
	h.lo = binary.BigEndian.Uint64(b[8:])
	h.n = binary.BigEndian.Uint64(b[16:])
	return nil
}
