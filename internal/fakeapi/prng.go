package fakeapi

import "github.com/zeebo/xxh3"

// prng is a splitmix64 generator: tiny, fast and stable across Go releases, so the data a
// seed produces never changes under the tests that assert it.
type prng struct{ state uint64 }

// newPRNG seeds a generator from the seed and a list of identifying strings.
func newPRNG(seed uint64, parts ...string) *prng {
	h := seed
	for _, p := range parts {
		h = xxh3.HashStringSeed(p, h)
	}
	return &prng{state: h}
}

func (p *prng) next() uint64 {
	p.state += 0x9e3779b97f4a7c15
	z := p.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n). n must be positive.
func (p *prng) intn(n int) int { return int(p.next() % uint64(n)) }

// between returns a number in [lo, hi].
func (p *prng) between(lo, hi int) int { return lo + p.intn(hi-lo+1) }

// pick returns one element of list.
func pick[T any](p *prng, list []T) T { return list[p.intn(len(list))] }

// words builds a short sentence of n words from list.
func (p *prng) words(list []string, n int) string {
	b := make([]byte, 0, n*8)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, pick(p, list)...)
	}
	return string(b)
}

// hash64 is a stable 64-bit digest of the parts under seed.
func hash64(seed uint64, parts ...string) uint64 { return newPRNG(seed, parts...).next() }

// vocabulary is the read-only word list shared by the generators. It includes accents and emoji so encoders and
// decoders are exercised with non-ASCII text.
var vocabulary = []string{
	"launch", "today", "team", "coffee", "sunset", "data", "pipeline", "weekend", "new",
	"release", "thanks", "everyone", "café", "naïve", "über", "🚀", "🎉", "summer", "winter",
	"meetup", "Zürich", "São", "Paulo", "kraków", "learning", "music", "live", "stream",
}
