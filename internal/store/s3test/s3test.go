// Package s3test starts a real S3 server (versitygw with a posix backend in a temp dir) for
// tests, so stores are tested against real SigV4, conditional writes and multipart uploads.
//
// The versitygw binary is taken from $SLUICE_VERSITYGW, else <module root>/.tools/bin/
// versitygw (installed by `make test`), else PATH. Without it the calling test is skipped,
// or fails when SLUICE_REQUIRE_S3=1.
package s3test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Endpoint is what a client needs to reach the server: a path-style endpoint URL, a bucket
// that exists, fake static credentials and the region.
type Endpoint struct {
	URL       string
	Bucket    string
	AccessKey string
	SecretKey string
	Region    string
}

// Server is a running versitygw process. Stop, Kill and Restart let a test take the server
// away in the middle of a run and bring it back with the same address and data.
type Server struct {
	Endpoint

	t       testing.TB
	bin     string
	dataDir string
	addr    string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	logs *bytes.Buffer
}

const (
	region       = "us-east-1"
	bucket       = "sluice-test"
	healthPath   = "/health"
	startTimeout = 15 * time.Second
)

// Start starts a server on a free 127.0.0.1 port with an empty data dir and one bucket
// (Endpoint.Bucket), and stops it when the test ends. It skips the test when versitygw is
// not installed (fails instead when SLUICE_REQUIRE_S3=1).
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		const hint = "versitygw not found; run `make test`, which installs it, or set SLUICE_VERSITYGW"
		if os.Getenv("SLUICE_REQUIRE_S3") == "1" {
			t.Fatalf("S3 suite required (SLUICE_REQUIRE_S3=1) but %s (%v)", hint, err)
		}
		t.Skip("S3 suite skipped: " + hint)
	}
	s := &Server{
		Endpoint: Endpoint{
			Bucket:    bucket,
			AccessKey: "FAKEKEY" + randomHex(6),
			SecretKey: "fake-secret-" + randomHex(16),
			Region:    region,
		},
		t:       t,
		bin:     bin,
		dataDir: t.TempDir(),
	}
	t.Cleanup(s.Stop)
	var lastErr error
	for range 3 { // the free port can be taken between probing and binding
		s.addr = freeAddr(t)
		s.URL = "http://" + s.addr
		if lastErr = s.start(); lastErr == nil {
			break
		}
	}
	if lastErr != nil {
		t.Fatalf("s3test: %v", lastErr)
	}
	s.CreateBucket(t, bucket)
	return s
}

// Binary locates the versitygw executable.
func Binary() (string, error) {
	if p := os.Getenv("SLUICE_VERSITYGW"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("SLUICE_VERSITYGW=%s: %w", p, err)
		}
		return p, nil
	}
	if root, err := ModuleRoot(); err == nil {
		p := filepath.Join(root, ".tools", "bin", "versitygw")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return exec.LookPath("versitygw")
}

// ModuleRoot walks up from the working directory to the directory holding go.mod: the
// checkout whose tools and sources tests use.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found")
		}
		dir = parent
	}
}

// freeAddr returns a 127.0.0.1 address with a port that was free a moment ago.
func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("s3test: find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// start launches the process and waits until it answers its health check.
func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd := exec.Command(s.bin,
		"--port", s.addr,
		"--access", s.AccessKey,
		"--secret", s.SecretKey,
		"--region", s.Region,
		"--health", healthPath,
		"--quiet",
		"posix", s.dataDir)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY_ID=", "ROOT_SECRET_ACCESS_KEY=")
	logs := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	// The server must not outlive a test binary that is killed (a timeout, a crash test).
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	s.cmd, s.done, s.logs = cmd, done, logs

	deadline := time.Now().Add(startTimeout)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("versitygw exited at start on %s: %s", s.addr, logs.String())
		default:
		}
		resp, err := client.Get(s.URL + healthPath)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill()
	<-done
	return fmt.Errorf("versitygw on %s did not answer within %v: %s", s.addr, startTimeout, logs.String())
}

// Stop terminates the server (SIGTERM, then SIGKILL after 5 s) and waits for it to exit.
// It does nothing when the server is not running.
func (s *Server) Stop() { s.signal(syscall.SIGTERM) }

// Kill ends the server abruptly with SIGKILL, as a crash would, and waits for it to exit.
func (s *Server) Kill() { s.signal(syscall.SIGKILL) }

func (s *Server) signal(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(sig)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

// Restart stops the server if it runs and starts it again on the same address, with the
// same credentials and data.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	var err error
	for range 50 { // the old socket may linger for a moment
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("s3test: restart: %v", err)
}

// Client returns an SDK client for the server, for tests that inspect or arrange objects
// directly.
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint: aws.String(s.URL),
		Region:       s.Region,
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
	})
}

// CreateBucket creates another bucket on the server.
func (s *Server) CreateBucket(t testing.TB, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("s3test: create bucket %s: %v", name, err)
	}
}
