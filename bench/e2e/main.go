// Command e2e measures sluice end to end: a loopback fake API serving pages of ~410-byte
// JSON records (each with a title and body of its own, as posts have), extracted by the
// real binary into zstd Parquet on the local store. It prints records/s, the ratio to a
// raw download of the same pages measured in the same run, and the peak RSS of the
// sluice process at two job sizes (memory must stay flat as the record count grows).
// With -runs N it takes N full-size measurements, each a raw download followed by a
// sluice run, and prints the one with the median ratio.
package main

import (
	"bytes"
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/tidwall/gjson"

	"github.com/sluice-dev/sluice/internal/fakeapi"
)

func main() {
	bin := flag.String("bin", "./sluice", "sluice binary")
	specPath := flag.String("spec", "internal/fakeapi/testdata/bench.yaml", "bench source spec")
	pages := flag.Int("pages", 2000, "pages in the full job")
	perPage := flag.Int("per-page", 500, "records per page")
	prebuilt := flag.Bool("prebuilt-text", false, "draw titles and bodies from 64 prebuilt strings, as the job did before the writer encoded dictionaries (for comparison with earlier figures)")
	runs := flag.Int("runs", 1, "full-size measurements to take; the one with the median ratio is printed (a shared machine's speed drifts)")
	flag.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the first full-size sluice run to this file")
	flag.Parse()
	opt := fakeapi.BenchOptions{Pages: *pages, PerPage: *perPage, FreshText: !*prebuilt, Cache: true}
	if err := run(*bin, *specPath, opt, max(*runs, 1)); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type result struct {
	records int64
	elapsed time.Duration
	rssMB   float64
	cpu     time.Duration // user + system time of the sluice process
}

func (r result) rate() float64 { return float64(r.records) / r.elapsed.Seconds() }

func run(bin, specPath string, opt fakeapi.BenchOptions, runs int) error {
	spec, err := filepath.Abs(specPath)
	if err != nil {
		return err
	}
	text := "titles and bodies drawn from 64 prebuilt strings"
	if opt.FreshText {
		text = "every title and body its own"
	}
	fmt.Printf("job: %d pages × %d records (~410 B JSON each; %s), cursor-paged, loopback → zstd Parquet, local store\n", opt.Pages, opt.PerPage, text)
	all := make([][2]result, 0, runs)
	for range runs {
		m, err := measure(bin, spec, opt)
		if err != nil {
			return err
		}
		all = append(all, m)
	}
	// Each measurement pairs sluice with a raw download taken just before it; the pair
	// with the median ratio stands for the lot.
	slices.SortFunc(all, func(a, b [2]result) int { return cmp.Compare(a[1].rate()/a[0].rate(), b[1].rate()/b[0].rate()) })
	full := all[len(all)/2]
	if runs > 1 {
		fmt.Printf("%d runs; ratios sluice/raw download:", runs)
		for _, m := range all {
			fmt.Printf(" %.2f", m[1].rate()/m[0].rate())
		}
		fmt.Println("; the median run follows")
	}
	halfOpt := opt
	halfOpt.Pages /= 2
	half, err := measure(bin, spec, halfOpt)
	if err != nil {
		return err
	}
	fmt.Printf("raw download:   %9.0f records/s  (%d records in %v)\n", full[0].rate(), full[0].records, full[0].elapsed.Round(time.Millisecond))
	fmt.Printf("sluice run:     %9.0f records/s  (%d records in %v)\n", full[1].rate(), full[1].records, full[1].elapsed.Round(time.Millisecond))
	fmt.Printf("ratio sluice/raw download: %.2f\n", full[1].rate()/full[0].rate())
	fmt.Printf("sluice CPU: %.2f s user+system, %.2f µs per record, %.0f%% of the wall time\n",
		full[1].cpu.Seconds(), full[1].cpu.Seconds()*1e6/float64(full[1].records), 100*full[1].cpu.Seconds()/full[1].elapsed.Seconds())
	fmt.Printf("peak RSS: %.0f MB at %d records, %.0f MB at %d records (ratio %.2f)\n",
		half[1].rssMB, half[1].records, full[1].rssMB, full[1].records, full[1].rssMB/half[1].rssMB)
	return nil
}

// measure serves a job of the given size, downloads it raw, then runs sluice over it.
func measure(bin, spec string, opt fakeapi.BenchOptions) ([2]result, error) {
	var out [2]result
	h, err := fakeapi.NewBench(opt)
	if err != nil {
		return out, err
	}
	srv, err := fakeapi.Listen(context.Background(), "127.0.0.1:0", h)
	if err != nil {
		return out, err
	}
	defer srv.Close()
	// Warm the page cache so neither measurement pays for rendering.
	if _, err := download(srv.URL); err != nil {
		return out, err
	}
	start := time.Now()
	n, err := download(srv.URL)
	if err != nil {
		return out, err
	}
	out[0] = result{records: n, elapsed: time.Since(start)}
	out[1], err = sluice(bin, spec, srv.URL)
	return out, err
}

// download walks every page with plain net/http and gjson, discarding the records.
func download(base string) (int64, error) {
	var n int64
	cursor := ""
	for {
		u := base + "/bench/records"
		if cursor != "" {
			u += "?cursor=" + cursor
		}
		resp, err := http.Get(u)
		if err != nil {
			return n, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return n, err
		}
		n += gjson.GetBytes(body, "records.#").Int()
		next := gjson.GetBytes(body, "next_cursor")
		if !next.Exists() {
			return n, nil
		}
		cursor = next.String()
	}
}

// cpuProfile, when set, is where the full-size run writes its CPU profile.
var cpuProfile string

var recordsRE = regexp.MustCompile(`; (\d+) records`)

func sluice(bin, spec, url string) (result, error) {
	dir, err := os.MkdirTemp("", "sluice-bench-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	cfg := fmt.Sprintf(`sink: %s
specs: [%s]
sources:
  bench: {base_url: %q}
accounts:
  - {source: bench, id: bench}
`, filepath.Join(dir, "out"), spec, url)
	cfgPath := filepath.Join(dir, "sluice.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return result{}, err
	}
	args := []string{"run", "--config", cfgPath, "--date", "2024-01-01", "--log-format", "json"}
	if cpuProfile != "" {
		args = append(args, "--cpuprofile", cpuProfile)
		cpuProfile = "" // the first (full-size) run only
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "TMPDIR="+dir)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	peak := watchPeakRSS(cmd.Process.Pid)
	err = cmd.Wait()
	elapsed := time.Since(start)
	if err != nil {
		return result{}, fmt.Errorf("sluice run: %v\n%s", err, stdout.Bytes())
	}
	m := recordsRE.FindSubmatch(stdout.Bytes())
	if m == nil {
		return result{}, fmt.Errorf("sluice run printed no record count:\n%s", stdout.Bytes())
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return result{records: n, elapsed: elapsed, rssMB: float64(<-peak) / 1024, cpu: cpu}, nil
}

// watchPeakRSS polls the process's high-water mark of resident memory (VmHWM, KiB) until
// it exits, and sends the last value read. rusage's maxrss cannot be used: a child started
// with vfork reports the parent's resident size, which here includes the fake API's pages.
func watchPeakRSS(pid int) <-chan int64 {
	out := make(chan int64, 1)
	go func() {
		var last int64
		path := fmt.Sprintf("/proc/%d/status", pid)
		for {
			data, err := os.ReadFile(path)
			if err != nil {
				break
			}
			m := hwmRE.FindSubmatch(data)
			if m == nil {
				break // a zombie has no memory lines
			}
			last, _ = strconv.ParseInt(string(m[1]), 10, 64)
			time.Sleep(10 * time.Millisecond)
		}
		out <- last
	}()
	return out
}

var hwmRE = regexp.MustCompile(`VmHWM:\s+(\d+) kB`)
