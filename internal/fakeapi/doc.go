// Package fakeapi holds faithful fake servers of the APIs sluice ships specs for, used by
// tests, benchmarks, `sluice demo` and `sluice serve-fake`:
//
//   - "demo": a deterministic social-media API shaped like Meta's Graph API (cursor paging
//     with paging.next, since/until windows, repeated records across page boundaries,
//     posts on both sides of UTC midnight, optional 429/503 faults);
//   - "x": the X API v2 user timeline (Bearer auth, RFC 3339 windows, meta.next_token,
//     x-rate-limit-* headers, 15-minute window limit, problem JSON errors);
//   - "bench": a cheap, large, cursor-paged API for throughput benchmarks.
//
// Every fake generates its data from a seed, so the records a range will serve are known in
// advance through expected-data functions (DemoPosts, DemoPages, XTweets, BenchRecord).
// Faults wraps any handler with scripted failures and records the requests it receives.
package fakeapi
