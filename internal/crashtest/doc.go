// Package crashtest proves the commit protocol's crash guarantee (DESIGN §4.4) on the real
// binary: it builds sluice with `-tags failpoints`, runs 30-day demo backfills against a
// loopback fake API into a local folder and into a real S3 server (versitygw), kills the
// process with SIGKILL at named failpoints and at seeded random moments, reruns it with
// --force-unlock and checks that the sink then holds exactly what a clean run leaves:
// the same objects (run timestamps aside), one generation per partition, no orphans, and
// the same records, read back from Parquet.
//
// The package holds only tests. Knobs (environment variables):
//
//	CRASH_RANDOM=N   random-moment kills per store (default 5)
//	CRASH_SEED=S     base seed of the random moments (default 1); failures print it
//	CRASH_FULL=1     every commit failpoint at hit counts 1, 2, 3, 5, 10, 20, ... 100, on
//	                 empty sinks and on sinks whose partitions get replaced, and
//	                 mid-checkpoint at 1, 2, 3, 5, 8, 13, 21, instead of the default: @1
//	                 and @40 on empty sinks, during-superseded-delete@7, mid-checkpoint@1
//	                 and @8
//
// Runs checkpoint every two pages of ten posts, and every scenario on an empty sink also
// checks that the rerun fetches at most two pages again per account and no committed day.
//
// `make crash` runs the full set.
package crashtest
