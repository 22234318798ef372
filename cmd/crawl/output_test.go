package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crawl-go/crawl/store"
)

// TestOutputDocument downloads one URL with -O FILE and -O -: the body,
// byte for byte, in FILE or alone on stdout (small, in memory, and large,
// spilled to disk), nothing in the mirror, and a manifest line that says
// where it went.
func TestOutputDocument(t *testing.T) {
	small, large := bigBody(100<<10), bigBody(9<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/small":
			w.Write(small)
		case "/large":
			w.Header().Set("Content-Length", strconv.Itoa(len(large)))
			w.Write(large)
		case "/moved":
			http.Redirect(w, r, "/small", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	for _, tt := range []struct {
		path string
		want []byte
	}{{"/small", small}, {"/large", large}, {"/moved", small}} {
		t.Run(tt.path, func(t *testing.T) {
			out, dir := t.TempDir(), t.TempDir()
			file := filepath.Join(dir, "doc.bin")
			os.WriteFile(file, []byte("an older file"), 0o644)
			for run_ := range 2 { // the same command downloads again
				var stdout, stderr bytes.Buffer
				if code := run(context.Background(), []string{"-q", "--robots=off", "-o", out, "-O", file, srv.URL + tt.path}, nil, &stdout, &stderr); code != exitOK {
					t.Fatalf("run %d: exit %d: %s", run_+1, code, stderr.String())
				}
				if got, _ := os.ReadFile(file); !bytes.Equal(got, tt.want) || stdout.Len() > 0 {
					t.Fatalf("run %d: %s holds %d bytes, stdout %d; want the %d of the body", run_+1, file, len(got), stdout.Len(), len(tt.want))
				}
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 1 {
				t.Errorf("left beside the file: %v", ents)
			}
			if _, err := os.Stat(hostDir(out, srv)); err == nil {
				t.Error("a mirror was written too")
			}
			rec := readManifest(t, out)[srv.URL+tt.path]
			if rec == nil || rec.Output != file || rec.Path != "" || rec.Bytes != int64(len(tt.want)) || rec.Run != 2 {
				t.Errorf("line %+v; want output %s, no path, run 2", rec, file)
			}

			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), []string{"--robots=off", "-o", out, "-O", "-", srv.URL + tt.path}, nil, &stdout, &stderr); code != exitOK {
				t.Fatalf("-O -: exit %d: %s", code, stderr.String())
			}
			if !bytes.Equal(stdout.Bytes(), tt.want) {
				t.Errorf("-O -: %d bytes on stdout; want the %d of the body alone", stdout.Len(), len(tt.want))
			}
			if !strings.Contains(stderr.String(), "1 fetched") {
				t.Errorf("stderr %q; want the summary there", stderr.String())
			}
			if rec := readManifest(t, out)[srv.URL+tt.path]; rec.Output != "-" {
				t.Errorf("-O -: line %+v; want output -", rec)
			}
		})
	}

	// A failure writes nothing.
	out, file := t.TempDir(), filepath.Join(t.TempDir(), "doc.bin")
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-q", "--robots=off", "-o", out, "-O", file, srv.URL + "/missing"}, nil, &stdout, &stderr); code != exitFailures {
		t.Errorf("404: exit %d; want %d", code, exitFailures)
	}
	if _, err := os.Stat(file); err == nil {
		t.Error("a 404 wrote the file")
	}
	if code := run(context.Background(), []string{"-q", "--robots=off", "-o", out, "-O", "-", srv.URL + "/missing"}, nil, &stdout, &stderr); code != exitFailures || stdout.Len() > 0 {
		t.Errorf("404 to stdout: exit %d, %d bytes on stdout", code, stdout.Len())
	}
}

// TestOutputDocumentContinue: an interrupted -O FILE download is
// continued by -c -O FILE.
func TestOutputDocumentContinue(t *testing.T) {
	ds := &downloadServer{}
	srv := httptest.NewServer(ds)
	defer srv.Close()
	out, file := t.TempDir(), filepath.Join(t.TempDir(), "big.bin")
	body := bigBody(9 << 20)
	args := []string{"-q", "--robots=off", "--retries", "0", "-o", out, "-O", file, srv.URL + "/big.bin"}
	ds.set("cut", body, `"v1"`)
	run(context.Background(), args, nil, &bytes.Buffer{}, &bytes.Buffer{})
	if _, err := os.Stat(file); err == nil {
		t.Fatal("the cut download wrote the file")
	}
	ds.set("honour", body, `"v1"`)
	var stderr bytes.Buffer
	if code := run(context.Background(), append([]string{"-c"}, args...), nil, &bytes.Buffer{}, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if got, _ := os.ReadFile(file); !bytes.Equal(got, body) {
		t.Errorf("%s holds %d bytes; want the %d of the body", file, len(got), len(body))
	}
	if got := ds.requests(); len(got) != 1 || got[0] != "bytes="+strconv.Itoa(len(body)/2)+`-|"v1"` {
		t.Errorf("requests %q; want one for the second half", got)
	}
	if p, _ := store.Partials(out); len(p) > 0 {
		t.Errorf("partial downloads left: %+v", p)
	}
}

func TestOutputDocumentUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-O", "f", "http://a/", "http://b/"}, "-O writes one URL to one file"},
		{[]string{"-O", "f", "-r", "http://a/"}, "-O writes one URL to one file"},
		{[]string{"-O", "f", "-p", "http://a/"}, "-O writes one URL to one file"},
		{[]string{"-O", "f", "-k", "http://a/"}, "-O saves one file outside the mirror"},
		{[]string{"-O", "-", "-c", "http://a/"}, "-c continues a file on disk"},
		{[]string{"-c", "--warc", "x", "http://a/"}, "-c continues downloads with Range requests"},
		{[]string{"--remote-name", "http://a/"}, "--remote-name is crawl -nd -P . URL"},
		{[]string{"-C", "100", "http://a/"}, "write -C - (or -c)"},
	} {
		dir := t.TempDir()
		wd, _ := os.Getwd()
		os.Chdir(dir)
		var stderr bytes.Buffer
		code := run(context.Background(), tt.args, nil, &bytes.Buffer{}, &stderr)
		os.Chdir(wd)
		if code != exitUsage || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("%q: exit %d, %q; want %d and %q", tt.args, code, stderr.String(), exitUsage, tt.want)
		}
		if ents, _ := os.ReadDir(dir); len(ents) > 0 {
			t.Errorf("%q created %s", tt.args, ents[0].Name())
		}
	}
}

// TestOutputDocumentRobots: -O FILE for a URL that robots.txt disallows
// writes nothing, and so fails (exit 1) saying why, for a script that
// goes on to use FILE.
func TestOutputDocumentRobots(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			w.Write([]byte("User-agent: *\nDisallow: /private\n"))
		default:
			w.Write([]byte("private"))
		}
	}))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "doc.html")
	for _, dst := range []string{file, "-"} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"-q", "-o", t.TempDir(), "-O", dst, srv.URL + "/private"}, nil, &stdout, &stderr)
		if code != exitFailures || !strings.Contains(stderr.String(), "--robots=false") || !strings.Contains(stderr.String(), "nothing written") || stdout.Len() > 0 {
			t.Errorf("-O %s: exit %d, %d bytes out\n%s\nwant exit %d, nothing written and the hint to --robots=false", dst, code, stdout.Len(), stderr.String(), exitFailures)
		}
	}
	if _, err := os.Stat(file); err == nil {
		t.Error("the file was written")
	}
}

// TestOutputDocumentBrokenPipe runs crawl -O - on a large body into a
// reader that stops after a few bytes, as `| head -c 10` does: crawl
// exits 1 saying the standard output was closed, not killed silently by
// SIGPIPE.
func TestOutputDocumentBrokenPipe(t *testing.T) {
	body := bigBody(12 << 20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(body)
	}))
	defer srv.Close()
	cmd := exec.Command(os.Args[0], "-q", "--robots=off", "-o", t.TempDir(), "-O", "-", srv.URL+"/big.bin")
	cmd.Env = append(os.Environ(), "CRAWL_TEST_RUN_MAIN=1")
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 10)
	if _, err := io.ReadFull(out, head); err != nil {
		t.Fatal(err)
	}
	out.Close() // the reader goes away
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("crawl did not end after its reader went away")
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitFailures || !strings.Contains(stderr.String(), "broken pipe") {
		t.Errorf("exit %v; want status %d and the broken pipe named\n%s", err, exitFailures, stderr.String())
	}
}
