package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// openStore opens a Store on a new directory and closes it at the end of
// the test.
func openStore(t *testing.T, opts Options) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

// put calls s.Put and fails the test on error.
func put(t *testing.T, s *Store, rel, data string) string {
	t.Helper()
	got, err := s.Put(rel, []byte(data))
	if err != nil {
		t.Fatalf("Put(%q): %v", rel, err)
	}
	return got
}

// wantFile fails the test unless dir/rel holds data.
func wantFile(t *testing.T, dir, rel, data string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != data {
		t.Errorf("%s holds %q; want %q", rel, b, data)
	}
}

// wantNoTemp fails the test if a temporary file is left anywhere in dir:
// in the temporary folder, or one of Put's next to the files.
func wantNoTemp(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(tmpDir)))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("temporary file left behind: %s", e.Name())
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), tmpPrefix) {
			t.Errorf("temporary file left behind: %s", p)
		}
		return nil
	})
}

func TestPut(t *testing.T) {
	for _, fsync := range []bool{false, true} {
		t.Run(fmt.Sprintf("fsync=%v", fsync), func(t *testing.T) {
			s, dir := openStore(t, Options{Fsync: fsync})
			if got := put(t, s, "h/a/b/c.html", "one"); got != "h/a/b/c.html" {
				t.Errorf("Put = %q; want h/a/b/c.html", got)
			}
			put(t, s, "h/a/d.html", "two")
			wantFile(t, dir, "h/a/b/c.html", "one")
			wantFile(t, dir, "h/a/d.html", "two")
			wantNoTemp(t, dir)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(dir, WorkDir)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Close left %s behind: %v", WorkDir, err)
			}
		})
	}
}

func TestConflicts(t *testing.T) {
	tests := []struct {
		name string
		puts []string // rel paths, put in order; each file holds its index
		want []string // paths returned
	}{
		{"file after directory", []string{"h/a/b", "h/a"}, []string{"h/a/b", "h/a~file"}},
		{"file with extension after directory", []string{"h/a.html/b", "h/a.html"}, []string{"h/a.html/b", "h/a~file.html"}},
		{"directory after file", []string{"h/a", "h/a/b", "h/a/c/d"}, []string{"h/a", "h/a~dir/b", "h/a~dir/c/d"}},
		{"nested directory after file", []string{"h/x/a", "h/x/a/b/c"}, []string{"h/x/a", "h/x/a~dir/b/c"}},
		{"same path twice", []string{"h/a.html", "h/a.html", "h/a.html"}, []string{"h/a.html", "h/a~2.html", "h/a~3.html"}},
		{"same path without extension", []string{"h/a", "h/a"}, []string{"h/a", "h/a~2"}},
		{"suffix already taken", []string{"h/a~2.html", "h/a.html", "h/a.html"}, []string{"h/a~2.html", "h/a.html", "h/a~3.html"}},
		{"alternative also taken", []string{"h/a/b", "h/a~file/c", "h/a"}, []string{"h/a/b", "h/a~file/c", "h/a~file~file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, dir := openStore(t, Options{})
			for i, rel := range tt.puts {
				if got := put(t, s, rel, fmt.Sprint(i)); got != tt.want[i] {
					t.Errorf("Put #%d (%s) = %q; want %q", i, rel, got, tt.want[i])
				}
			}
			for i, rel := range tt.want {
				wantFile(t, dir, rel, fmt.Sprint(i))
			}
			wantNoTemp(t, dir)
		})
	}
}

func TestPutReplacesEarlierRun(t *testing.T) {
	dir := t.TempDir()
	for _, data := range []string{"old", "new"} {
		s, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := put(t, s, "h/a.html", data); got != "h/a.html" {
			t.Errorf("Put = %q; want h/a.html", got)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	wantFile(t, dir, "h/a.html", "new")
}

func TestPutConfined(t *testing.T) {
	outside := t.TempDir()
	tests := []struct {
		name  string
		plant func(t *testing.T, dir string)
		rel   string
	}{
		{"dotdot", nil, "../escape.html"},
		{"inner dotdot", nil, "h/../../escape.html"},
		{"absolute", nil, "/escape.html"},
		{"work dir", nil, ".crawl/tmp/x"},
		{"empty component", nil, "h//x"},
		{"nul", nil, "h/x\x00y"},
		{"host symlink", func(t *testing.T, dir string) {
			symlink(t, outside, filepath.Join(dir, "h"))
		}, "h/escape.html"},
		{"inner symlink", func(t *testing.T, dir string) {
			os.Mkdir(filepath.Join(dir, "h"), 0o755)
			symlink(t, outside, filepath.Join(dir, "h", "a"))
		}, "h/a/b/escape.html"},
		{"relative symlink", func(t *testing.T, dir string) {
			rel, err := filepath.Rel(dir, outside)
			if err != nil {
				t.Skip(err)
			}
			symlink(t, filepath.Join("..", rel), filepath.Join(dir, "h"))
		}, "h/escape.html"},
		{"symlinked file", func(t *testing.T, dir string) {
			os.Mkdir(filepath.Join(dir, "h"), 0o755)
			symlink(t, filepath.Join(outside, "target"), filepath.Join(dir, "h", "escape.html"))
		}, "h/escape.html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, dir := openStore(t, Options{})
			if tt.plant != nil {
				tt.plant(t, dir)
			}
			got, err := s.Put(tt.rel, []byte("x"))
			t.Logf("Put(%q) = %q, %v", tt.rel, got, err)
			if err == nil {
				// The only acceptable success is a file inside dir (a
				// symlink replaced by the rename, not followed).
				fi, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(got)))
				if err != nil || !fi.Mode().IsRegular() {
					t.Errorf("Put(%q) = %q, which is not a regular file inside dir: %v", tt.rel, got, err)
				}
			}
			ents, _ := os.ReadDir(outside)
			for _, e := range ents {
				t.Errorf("Put(%q) wrote %s outside the output directory", tt.rel, e.Name())
			}
			wantNoTemp(t, dir)
		})
	}
}

func symlink(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Skipf("no symlinks: %v", err)
	}
}

func TestPutInvalidPath(t *testing.T) {
	s, _ := openStore(t, Options{})
	for _, rel := range []string{"", ".", "..", "a/./b", "a/", ".crawl", ".crawl/x"} {
		t.Run(rel, func(t *testing.T) {
			if _, err := s.Put(rel, nil); !errors.Is(err, ErrInvalidPath) {
				t.Errorf("Put(%q) error = %v; want ErrInvalidPath", rel, err)
			}
		})
	}
}

func TestPutFailureLeavesNothing(t *testing.T) {
	s, dir := openStore(t, Options{})
	tooLong := "h/" + strings.Repeat("n", 300)
	if _, err := s.Put(tooLong, []byte("x")); err == nil {
		t.Fatal("Put of a 300-byte name succeeded")
	}
	if _, err := os.Lstat(filepath.Join(dir, "h", strings.Repeat("n", 300))); err == nil {
		t.Error("a file was left under the final name")
	}
	wantNoTemp(t, dir)

	// A failing PutFile removes its temporary file too.
	f, err := s.TempFile()
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("partial")
	if _, err := s.PutFile("../x", f); !errors.Is(err, ErrInvalidPath) {
		t.Errorf("PutFile(../x) error = %v; want ErrInvalidPath", err)
	}
	wantNoTemp(t, dir)
}

func TestTempFile(t *testing.T) {
	s, dir := openStore(t, Options{})
	f, err := s.TempFile()
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(f.Name()) || !strings.HasPrefix(f.Name(), s.Dir()+string(filepath.Separator)) {
		t.Errorf("TempFile().Name() = %q; want an absolute path inside %s", f.Name(), s.Dir())
	}
	if _, err := f.WriteString("streamed body"); err != nil {
		t.Fatal(err)
	}
	got, err := s.PutFile("h/big.bin", f)
	if err != nil || got != "h/big.bin" {
		t.Fatalf("PutFile = %q, %v", got, err)
	}
	wantFile(t, dir, "h/big.bin", "streamed body")

	// A discarded temporary file is the caller's to remove.
	g, err := s.TempFile()
	if err != nil {
		t.Fatal(err)
	}
	g.Close()
	if err := os.Remove(g.Name()); err != nil {
		t.Fatal(err)
	}
	wantNoTemp(t, dir)

	// A file from elsewhere is refused and left alone.
	other, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutFile("h/other", other); !errors.Is(err, ErrNotTempFile) {
		t.Errorf("PutFile(foreign file) error = %v; want ErrNotTempFile", err)
	}
	if _, err := os.Stat(other.Name()); err != nil {
		t.Errorf("PutFile removed a file it did not create: %v", err)
	}
}

func TestConcurrentPut(t *testing.T) {
	s, dir := openStore(t, Options{})
	const workers, perWorker = 8, 40
	type result struct{ rel, data string }
	results := make(chan result, workers*perWorker*3)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				// Everyone writes the same shared name, a name that
				// conflicts as file and directory, and a name of its own.
				for _, rel := range []string{
					"h/shared.html",
					fmt.Sprintf("h/c%d", i%5) + strings.Repeat("/sub", w%2),
					fmt.Sprintf("h/w%d/%d.html", w, i),
				} {
					data := fmt.Sprintf("%s by %d.%d", rel, w, i)
					got, err := s.Put(rel, []byte(data))
					if err != nil {
						t.Errorf("Put(%s): %v", rel, err)
						continue
					}
					results <- result{got, data}
				}
			}
		})
	}
	wg.Wait()
	close(results)
	seen := map[string]bool{}
	for r := range results {
		if seen[r.rel] {
			t.Errorf("two Puts returned %s", r.rel)
		}
		seen[r.rel] = true
		wantFile(t, dir, r.rel, r.data)
	}
	if len(seen) != workers*perWorker*3 {
		t.Errorf("%d distinct files; want %d", len(seen), workers*perWorker*3)
	}
	wantNoTemp(t, dir)
}

func BenchmarkPut(b *testing.B) {
	s, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	data := make([]byte, 16<<10)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for i := 0; b.Loop(); i++ {
		if _, err := s.Put(fmt.Sprintf("h/s%02d/p%06d.html", i%100, i), data); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPutAfterFolderRemoved(t *testing.T) {
	// A folder kept open by the Store is deleted from under it (by a
	// user, or another tool): later writes there still land in the tree.
	s, dir := openStore(t, Options{})
	put(t, s, "h/a/one.html", "one")
	if err := os.RemoveAll(filepath.Join(dir, "h", "a")); err != nil {
		t.Fatal(err)
	}
	if got := put(t, s, "h/a/two.html", "two"); got != "h/a/two.html" {
		t.Fatalf("Put = %q", got)
	}
	b, err := os.ReadFile(filepath.Join(dir, "h", "a", "two.html"))
	if err != nil || string(b) != "two" {
		t.Fatalf("two.html: %q, %v", b, err)
	}
	wantNoTemp(t, dir)
}

func TestPutManyFolders(t *testing.T) {
	// More folders than the Store keeps open: every file is written.
	s, dir := openStore(t, Options{})
	for i := range maxOpenDirs + 50 {
		put(t, s, fmt.Sprintf("h/d%d/f.html", i), fmt.Sprint(i))
	}
	for _, i := range []int{0, maxOpenDirs + 49} {
		b, err := os.ReadFile(filepath.Join(dir, "h", fmt.Sprintf("d%d", i), "f.html"))
		if err != nil || string(b) != fmt.Sprint(i) {
			t.Errorf("d%d/f.html: %q, %v", i, b, err)
		}
	}
	if n := len(s.dirs.dirs); n > maxOpenDirs {
		t.Errorf("%d folders open; want at most %d", n, maxOpenDirs)
	}
}
