package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files of testdata/")

// golden compares got with the file testdata/name, or rewrites the file
// with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to write it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from what the command prints (go test -run %s -update rewrites it):\n--- got\n%s\n--- want\n%s", path, t.Name(), got, want)
	}
}

func TestHelpGolden(t *testing.T) {
	for _, tt := range []struct {
		file string
		args []string
	}{
		{"help.golden", []string{"--help"}},
		{"help-scope.golden", []string{"help", "scope"}},
		{"help-status.golden", []string{"help", "status"}},
		{"help-serve.golden", []string{"serve", "-h"}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tt.args, nil, &stdout, &stderr); code != exitOK || stderr.Len() > 0 {
				t.Fatalf("exit %d, stderr %q", code, stderr.String())
			}
			for i, line := range strings.Split(stdout.String(), "\n") {
				if len(line) >= helpWidth {
					t.Errorf("line %d is %d bytes wide: %q", i+1, len(line), line)
				}
			}
			golden(t, tt.file, stdout.Bytes())
		})
	}
	// Every spelling of help prints the same, on stdout.
	var want bytes.Buffer
	run(context.Background(), []string{"--help"}, nil, &want, &bytes.Buffer{})
	for _, args := range [][]string{{"-h"}, {"help"}, {"-help"}, {"-q", "http://a/", "--help"}} {
		var stdout bytes.Buffer
		if code := run(context.Background(), args, nil, &stdout, &bytes.Buffer{}); code != exitOK || stdout.String() != want.String() {
			t.Errorf("%q: exit %d, %d bytes of help", args, code, stdout.Len())
		}
	}
}

// TestUsageErrorsGolden runs mistaken command lines: each gets one line
// (the unknown flag with the closest one, or what crawl spells it) and the
// hint, on stderr, and exit status 2.
func TestUsageErrorsGolden(t *testing.T) {
	var all bytes.Buffer
	for _, args := range [][]string{
		{"--no-parnet", "https://example.com/"},
		{"--frobnicate"},
		{"-dpeth", "2"},
		{"--max-download-limit=1M"},
		{"--cut-dirs=1"},
		{"--span-hosts"},
		{"--robots", "false", "https://example.com/"},
		{"--depth", "deep"},
		{"-q", "help"},
		{"example.com"},
		{"status", "--crawl-di", "x"},
		{"serve", "--adr", ":1"},
		{"help", "scoep"},
	} {
		dir := t.TempDir()
		var stdout, stderr bytes.Buffer
		wd, _ := os.Getwd()
		os.Chdir(dir) // a usage error must create nothing, crawl-out included
		code := run(context.Background(), args, nil, &stdout, &stderr)
		os.Chdir(wd)
		if code != exitUsage || stdout.Len() > 0 {
			t.Errorf("%q: exit %d, stdout %q; want exit %d and nothing on stdout", args, code, stdout.String(), exitUsage)
		}
		if lines := strings.Count(stderr.String(), "\n"); lines != 2 {
			t.Errorf("%q: %d lines on stderr; want 2", args, lines)
		}
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Errorf("%q created %s", args, entries[0].Name())
		}
		fmt.Fprintf(&all, "$ crawl %s\n%s", strings.Join(args, " "), stderr.String())
	}
	golden(t, "usage-errors.golden", all.Bytes())
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-V"}} {
		var stdout bytes.Buffer
		if code := run(context.Background(), args, nil, &stdout, &bytes.Buffer{}); code != exitOK || !strings.HasPrefix(stdout.String(), "crawl 0.") {
			t.Errorf("%q: exit %d, %q", args, code, stdout.String())
		}
	}
}
