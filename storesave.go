package crawl

import (
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/store"
)

// This file holds how the store stage writes a body: into the mirror
// (save), to -O's file or the standard output (writeOutput), or kept as a
// partial download for -c (keepPartial).

// save writes body to its file and returns the path used: a new file
// named after the final URL (putFile), or the earlier file of the URL,
// replaced under the same name (replaceFile).
func (s *storeStage) save(j *job, body *fetch.Body, act saveAction) (string, error) {
	st := s.out.store
	put, putFromFile := st.Put, st.PutFile
	var rel string
	if act == replaceFile {
		rel = j.prev.Path
		put, putFromFile = st.Replace, st.ReplaceFile
	} else {
		rel = s.paths.Path(j.final, j.resp.ContentType)
		if s.disposition {
			if name := store.DispositionName(j.resp.Header.Get("Content-Disposition")); name != "" {
				rel = store.WithName(rel, name)
			}
		}
		if s.adjustExt {
			rel = store.AdjustExtension(rel, j.resp.ContentType)
		}
		if l := s.rec.history.line(j.item.URL); l != nil && l.ok && l.path == rel {
			// The URL's own file, named by its earlier line (and kept,
			// see New): fetched again as it was missing, it takes its
			// name back.
			put, putFromFile = st.Replace, st.ReplaceFile
		}
	}
	var path string
	var err error
	if body.File() != nil {
		path, err = putFromFile(rel, body.TakeFile())
	} else {
		path, err = put(rel, body.Bytes())
	}
	if err != nil {
		return "", fmt.Errorf("%w of %s as %s: %w", errStore, j.item.URL, rel, err)
	}
	return path, nil
}

// writeOutput writes body to Config.Output or OutputWriter, and returns
// what the manifest says of where it went: the file's absolute path, or
// "-".
func (s *storeStage) writeOutput(body *fetch.Body) (string, error) {
	if w := s.outputWriter; w != nil {
		var err error
		if b := body.Bytes(); b != nil {
			_, err = w.Write(b)
		} else {
			_, err = io.Copy(w, io.NewSectionReader(body.File(), 0, body.Len()))
		}
		if err != nil {
			return "", fmt.Errorf("%w to the standard output: %w", errStore, err)
		}
		return "-", nil
	}
	var err error
	if body.File() != nil {
		err = s.out.store.SaveFileAs(s.output, body.TakeFile())
	} else {
		err = s.out.store.SaveAs(s.output, body.Bytes())
	}
	if err != nil {
		return "", fmt.Errorf("%w: %w", errStore, err)
	}
	name, aerr := filepath.Abs(s.output)
	if aerr != nil {
		name = s.output
	}
	return name, nil
}

// titleScan is how much of an HTML body is searched for its title (for
// the manifest and the WACZ's pages): more than wacz.TitleScan, since
// some pages put scripts and styles of many kilobytes before it.
const titleScan = 32 << 10

// keepPartial keeps the partial download that j's failed fetch left, for
// a later run to continue (Config.Continue).
func (s *storeStage) keepPartial(j *job) {
	if j.resp == nil || j.resp.Partial == nil {
		return
	}
	p := j.resp.Partial
	j.resp.Partial = nil
	info := store.PartialInfo{URL: j.item.URL, ETag: p.ETag, LastModified: p.LastModified, Length: p.Length, Kept: time.Now().UTC()}
	if err := s.out.store.KeepPartial(info, p.File); err != nil {
		fmt.Fprintf(s.log, "crawl: %v\n", err)
	}
}
