// Package testredis finds the Redis server that tests use for real: the
// one CRAWL_TEST_REDIS names (.ci/run starts one on a free loopback port).
package testredis

import (
	"fmt"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// URL returns the URL of the test Redis server, from CRAWL_TEST_REDIS.
// Without it the test is skipped with a message saying how to provide
// one, or fails when CI is set: CI must provide a server.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("CRAWL_TEST_REDIS")
	if u != "" {
		return u
	}
	const msg = "CRAWL_TEST_REDIS is not set: set it to a disposable Redis server, e.g. " +
		"redis-server --port 6399 --save '' --appendonly no --daemonize yes; " +
		"CRAWL_TEST_REDIS=redis://127.0.0.1:6399/0 (.ci/run does this)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// Server is a redis-server a test started for itself, on a port of its own
// in 23500-23598, to stop, pause and restart: the one of CRAWL_TEST_REDIS
// is shared by every test. Its data is kept in an append-only file in a
// temporary directory, so a restart keeps the keys written before it.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
	// exited is closed when cmd has exited.
	exited chan struct{}
}

// Start starts a redis-server for the test and stops it when the test
// ends. The test is skipped when CRAWL_TEST_REDIS is unset (as URL skips
// it), and fails when it is set but redis-server is not in $PATH.
func Start(t testing.TB) *Server {
	t.Helper()
	URL(t)
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("CRAWL_TEST_REDIS is set but the test needs a redis-server of its own: %v", err)
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir()}
	t.Cleanup(s.Stop)
	// Another test (of another package, run at once) may have taken a
	// port: try others.
	for range 20 {
		s.port = 23500 + mrand.IntN(99)
		if s.start() == nil {
			return s
		}
	}
	t.Fatal("could not start a redis-server on a port in 23500-23598")
	return nil
}

// URL returns the server's URL, for --state.
func (s *Server) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", s.port) }

// Addr returns the server's host:port.
func (s *Server) Addr() string { return fmt.Sprintf("127.0.0.1:%d", s.port) }

// start runs redis-server on s.port and waits until it answers.
func (s *Server) start() error {
	ln, err := net.Listen("tcp", s.Addr())
	if err != nil {
		return err // taken
	}
	ln.Close()
	cmd := exec.Command(s.bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(s.port), "--dir", s.dir,
		"--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no")
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	for range 100 {
		select {
		case <-exited:
			return fmt.Errorf("redis-server on port %d exited", s.port)
		default:
		}
		if c, err := net.DialTimeout("tcp", s.Addr(), 100*time.Millisecond); err == nil {
			c.Close()
			s.cmd, s.exited = cmd, exited
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill()
	<-exited
	return fmt.Errorf("redis-server on port %d did not answer", s.port)
}

// Stop stops the server (it saves its data); it may be called more than
// once.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	p := s.cmd.Process
	p.Signal(syscall.SIGCONT) // if paused
	p.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		p.Kill()
		<-s.exited
	}
	s.cmd = nil
}

// Restart starts the server again on its port after Stop.
func (s *Server) Restart() {
	s.t.Helper()
	if err := s.start(); err != nil {
		s.t.Fatalf("restarting redis-server: %v", err)
	}
}

// Pause stops the server's process (SIGSTOP): it keeps its connections
// but answers nothing until Resume.
func (s *Server) Pause() { s.cmd.Process.Signal(syscall.SIGSTOP) }

// Resume continues a paused server.
func (s *Server) Resume() { s.cmd.Process.Signal(syscall.SIGCONT) }
