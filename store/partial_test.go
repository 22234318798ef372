package store

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// tempWith returns a file of s.TempFile holding data.
func tempWith(t *testing.T, s *Store, data string) *os.File {
	t.Helper()
	f, err := s.TempFile()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestPartials(t *testing.T) {
	s, dir := openStore(t, Options{})
	const u = "http://h/big.iso"
	if s.HasPartial(u) {
		t.Fatal("a partial download in a new directory")
	}
	if f, _, err := s.OpenPartial(u); f != nil || err != nil {
		t.Fatalf("OpenPartial of none: %v, %v", f, err)
	}
	info := PartialInfo{URL: u, ETag: `"v1"`, Length: 100, Kept: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if err := s.KeepPartial(info, tempWith(t, s, "first bytes")); err != nil {
		t.Fatal(err)
	}
	// A second keep replaces the first.
	info.ETag = `"v2"`
	if err := s.KeepPartial(info, tempWith(t, s, "the first bytes")); err != nil {
		t.Fatal(err)
	}
	if !s.HasPartial(u) || s.HasPartial("http://h/other") {
		t.Error("HasPartial does not know what was kept")
	}
	list, err := Partials(dir)
	if err != nil || len(list) != 1 || list[0].URL != u || list[0].Size != 15 || list[0].ETag != `"v2"` {
		t.Fatalf("Partials = %+v, %v", list, err)
	}

	// Another Store on the directory (the next run) finds it.
	s2, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	f, got, err := s2.OpenPartial(u)
	if err != nil || f == nil {
		t.Fatalf("OpenPartial: %v, %v", f, err)
	}
	if got.ETag != `"v2"` || got.Length != 100 || !got.Kept.Equal(info.Kept) || got.URL != u {
		t.Errorf("info %+v", got)
	}
	data, _ := io.ReadAll(f)
	if string(data) != "the first bytes" {
		t.Errorf("the partial holds %q", data)
	}
	f.WriteString(" and the rest")
	if s2.HasPartial(u) {
		t.Error("an opened partial download is still kept")
	}
	if list, _ := Partials(dir); len(list) != 0 {
		t.Errorf("Partials after OpenPartial: %+v", list)
	}
	// It is a temporary file: PutFile takes it.
	name, err := s2.PutFile("h/big.iso", f)
	if err != nil {
		t.Fatal(err)
	}
	wantFile(t, dir, name, "the first bytes and the rest")
	if _, err := os.Stat(filepath.Join(dir, partialDir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the empty partial folder is left: %v", err)
	}
}

// TestPartialIncomplete: a partial download without its bytes, or whose
// description names another URL, is not given, and is removed.
func TestPartialIncomplete(t *testing.T) {
	for _, tt := range []struct {
		name   string
		damage func(dir, key string)
	}{
		{"bytes gone", func(dir, key string) { os.Remove(filepath.Join(dir, partialDir, key)) }},
		{"another URL", func(dir, key string) {
			os.WriteFile(filepath.Join(dir, partialDir, key+".json"), []byte(`{"v":1,"url":"http://h/other"}`), 0o644)
		}},
		{"garbled", func(dir, key string) { os.WriteFile(filepath.Join(dir, partialDir, key+".json"), []byte(`{`), 0o644) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			const u = "http://h/x"
			if err := s.KeepPartial(PartialInfo{URL: u, ETag: `"e"`}, tempWith(t, s, "abc")); err != nil {
				t.Fatal(err)
			}
			s.Close()
			tt.damage(dir, partialKey(u))
			s, err = Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if f, _, err := s.OpenPartial(u); f != nil || err != nil {
				t.Errorf("OpenPartial = %v, %v; want nothing", f, err)
			}
			if list, _ := Partials(dir); len(list) != 0 {
				t.Errorf("left: %+v", list)
			}
		})
	}
}

func TestKeepPartialNotTemp(t *testing.T) {
	s, dir := openStore(t, Options{})
	f, err := os.Create(filepath.Join(dir, "elsewhere"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.KeepPartial(PartialInfo{URL: "http://h/"}, f); !errors.Is(err, ErrNotTempFile) {
		t.Errorf("KeepPartial of a file not of TempFile: %v", err)
	}
	wantNoTemp(t, dir)
}

func TestDropPartial(t *testing.T) {
	s, dir := openStore(t, Options{})
	for _, u := range []string{"http://h/a", "http://h/b"} {
		if err := s.KeepPartial(PartialInfo{URL: u, ETag: `"e"`}, tempWith(t, s, u)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DropPartial("http://h/a"); err != nil {
		t.Fatal(err)
	}
	if err := s.DropPartial("http://h/none"); err != nil {
		t.Fatal(err)
	}
	if list, _ := Partials(dir); len(list) != 1 || list[0].URL != "http://h/b" || s.HasPartial("http://h/a") {
		t.Errorf("left %+v", list)
	}
}
