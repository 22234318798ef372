package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// earlierRun writes files as a finished crawl would have left them and
// returns a Store opened on them for the next run.
func earlierRun(t *testing.T, opts Options, files map[string]string) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	for rel, data := range files {
		name := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for rel := range files {
		s.Keep(rel)
	}
	return s, dir
}

func readRel(t *testing.T, dir, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestKeepReplace(t *testing.T) {
	for _, fsync := range []bool{false, true} {
		s, dir := earlierRun(t, Options{Fsync: fsync}, map[string]string{
			"h/a.html": "old a", "h/b.html": "old b", "h/sub/c.css": "old c",
		})
		// Another URL whose name is a kept one gets another name.
		if got := put(t, s, "h/a.html", "other"); got != "h/a~2.html" {
			t.Errorf("Put of a kept name = %q; want h/a~2.html", got)
		}
		if got, err := s.Replace("h/a.html", []byte("new a")); err != nil || got != "h/a.html" {
			t.Fatalf("Replace = %q, %v; want h/a.html", got, err)
		}
		if got := readRel(t, dir, "h/a.html"); got != "new a" {
			t.Errorf("h/a.html = %q after Replace", got)
		}
		// Ownership is used up: a second Replace is a Put.
		if got, err := s.Replace("h/a.html", []byte("again")); err != nil || got != "h/a~3.html" {
			t.Errorf("second Replace = %q, %v; want h/a~3.html", got, err)
		}
		// A name that was not kept is Put.
		if got, err := s.Replace("h/new.html", []byte("n")); err != nil || got != "h/new.html" {
			t.Errorf("Replace of a new name = %q, %v", got, err)
		}
		// A spilled body replaces through ReplaceFile.
		f, err := s.TempFile()
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("new c")
		if got, err := s.ReplaceFile("h/sub/c.css", f); err != nil || got != "h/sub/c.css" {
			t.Fatalf("ReplaceFile = %q, %v", got, err)
		}
		if got := readRel(t, dir, "h/sub/c.css"); got != "new c" {
			t.Errorf("h/sub/c.css = %q after ReplaceFile", got)
		}
		if got := readRel(t, dir, "h/b.html"); got != "old b" {
			t.Errorf("untouched kept file h/b.html = %q", got)
		}
		entries, _ := os.ReadDir(filepath.Join(dir, "h"))
		for _, e := range entries {
			if filepath.Ext(e.Name()) == "" && e.Name() != "sub" {
				t.Errorf("left behind in h/: %s", e.Name())
			}
		}
	}
}

func TestReplaceRecreatesAMissingFolder(t *testing.T) {
	s, dir := earlierRun(t, Options{}, map[string]string{"h/gone/x.txt": "old"})
	if err := os.RemoveAll(filepath.Join(dir, "h", "gone")); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Replace("h/gone/x.txt", []byte("new")); err != nil || got != "h/gone/x.txt" {
		t.Fatalf("Replace = %q, %v", got, err)
	}
	if got := readRel(t, dir, "h/gone/x.txt"); got != "new" {
		t.Errorf("file = %q", got)
	}
}

func TestReplaceWhenAFolderTookTheName(t *testing.T) {
	s, dir := earlierRun(t, Options{}, map[string]string{"h/a": "old"})
	name := filepath.Join(dir, "h", "a")
	os.Remove(name)
	if err := os.MkdirAll(filepath.Join(name, "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := s.Replace("h/a", []byte("new"))
	if err != nil || got != "h/a~file" {
		t.Fatalf("Replace = %q, %v; want h/a~file", got, err)
	}
}

func TestRemove(t *testing.T) {
	s, dir := earlierRun(t, Options{}, map[string]string{"h/a.html": "old", "h/b.html": "old"})
	// The body as fetched of a converted page goes with it.
	if err := s.SaveOriginal("h/a.html", []byte("as fetched")); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("h/a.html"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(dir, "h", "a.html"), filepath.Join(dir, ".crawl", "orig", "h", "a.html")} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still there: %v", p, err)
		}
	}
	for _, rel := range []string{"h/a.html", "h/never.html", "../escape"} {
		if err := s.Remove(rel); !errors.Is(err, ErrNotKept) {
			t.Errorf("Remove(%q) = %v; want ErrNotKept", rel, err)
		}
	}
	if got := readRel(t, dir, "h/b.html"); got != "old" {
		t.Errorf("h/b.html = %q", got)
	}
}

func TestReadFile(t *testing.T) {
	s, _ := earlierRun(t, Options{}, map[string]string{"h/a.html": "12345"})
	tests := []struct {
		rel     string
		limit   int64
		want    string
		wantErr bool
	}{
		{"h/a.html", 5, "12345", false},
		{"h/a.html", 4, "", true},
		{"h/missing", 10, "", true},
		{"../h/a.html", 10, "", true},
		{"/etc/passwd", 10, "", true},
	}
	for _, tt := range tests {
		got, err := s.ReadFile(tt.rel, tt.limit)
		if (err != nil) != tt.wantErr || string(got) != tt.want {
			t.Errorf("ReadFile(%q, %d) = %q, %v", tt.rel, tt.limit, got, err)
		}
	}
}
