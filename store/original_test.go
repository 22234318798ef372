package store

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestOriginals(t *testing.T) {
	for _, fsync := range []bool{false, true} {
		s, dir := earlierRun(t, Options{Fsync: fsync}, map[string]string{"h/a.html": "<a href=x>", "top.html": "t"})
		if _, err := s.Original("h/a.html", 100); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Original before SaveOriginal: %v; want ErrNotExist", err)
		}
		if err := s.SaveOriginal("h/a.html", []byte("<a href=x>")); err != nil {
			t.Fatal(err)
		}
		if err := s.Overwrite("h/a.html", []byte("<a href=x.html>")); err != nil {
			t.Fatal(err)
		}
		if err := s.Overwrite("top.html", []byte("T")); err != nil {
			t.Fatal(err)
		}
		got, err := s.Original("h/a.html", 100)
		if err != nil || string(got) != "<a href=x>" {
			t.Errorf("Original = %q, %v", got, err)
		}
		if got := readRel(t, dir, "h/a.html"); got != "<a href=x.html>" {
			t.Errorf("h/a.html = %q after Overwrite", got)
		}
		if got := readRel(t, dir, "top.html"); got != "T" {
			t.Errorf("top.html = %q after Overwrite", got)
		}
		if _, err := os.Stat(filepath.Join(dir, ".crawl", "orig", "h", "a.html")); err != nil {
			t.Errorf("the original is not under .crawl/orig: %v", err)
		}
		for _, rel := range []string{"../x", ".crawl/orig/h/a.html", ""} {
			if err := s.SaveOriginal(rel, nil); err == nil {
				t.Errorf("SaveOriginal(%q) succeeded", rel)
			}
			if err := s.Overwrite(rel, nil); err == nil {
				t.Errorf("Overwrite(%q) succeeded", rel)
			}
		}
	}
}

func TestReadAsFetched(t *testing.T) {
	const fetched = "<a href=x>"
	sum := sha256Hex([]byte(fetched))
	s, dir := earlierRun(t, Options{}, map[string]string{"h/a.html": fetched})
	body, current, converted, err := s.ReadAsFetched("h/a.html", sum, 100)
	if err != nil || string(body) != fetched || string(current) != fetched || converted {
		t.Errorf("unconverted file: %q, %q, %v, %v", body, current, converted, err)
	}
	s.SaveOriginal("h/a.html", []byte(fetched))
	s.Overwrite("h/a.html", []byte("<a href=x.html>"))
	body, current, converted, err = s.ReadAsFetched("h/a.html", sum, 100)
	if err != nil || string(body) != fetched || string(current) != "<a href=x.html>" || !converted {
		t.Errorf("converted file: %q, %q, %v, %v", body, current, converted, err)
	}
	os.WriteFile(filepath.Join(dir, "h", "a.html"), []byte("edited"), 0o644)
	s.SaveOriginal("h/a.html", []byte("also edited"))
	if _, current, _, err := s.ReadAsFetched("h/a.html", sum, 100); !errors.Is(err, ErrEdited) || string(current) != "edited" {
		t.Errorf("edited file: current %q, %v; want ErrEdited", current, err)
	}
}
