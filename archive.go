package crawl

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/crawl-go/crawl/fetch"
	"github.com/crawl-go/crawl/parse"
	"github.com/crawl-go/crawl/store"
	"github.com/crawl-go/crawl/store/wacz"
	"github.com/crawl-go/crawl/store/warc"
	"github.com/crawl-go/crawl/store/warc/cdxj"
)

// archiving reports whether the crawl writes an archive: WARC files, or a
// WACZ package (which holds WARC files).
func (c *Config) archiving() bool { return c.WARC != "" || c.WACZ != "" }

// archiver writes the crawl's archive: the WARC files, their CDXJ index
// (NAME.cdxj beside them, sorted when the crawl ends) and, with
// Config.WACZ, the pages of the WACZ package it makes of them when it is
// closed. It is safe for concurrent use.
type archiver struct {
	w     *warc.Writer
	index *cdxj.Writer
	log   io.Writer

	// With Config.WACZ:
	wacz    string // the package's path
	tmpDir  string // a folder of the WARC files to remove once packaged, or ""
	start   time.Time
	pagesMu sync.Mutex
	pages   *os.File // the page lines, one JSON object each
	pagesW  *bufio.Writer
	main    *wacz.Page // the first page, opened first by a viewer
	// killed is what killed crawls left, packaged with this run's
	// captures, then removed (see findKilledArchives).
	killed *killedArchives
	// locks mark this run's files as being written (holdLock); unlock
	// names those to remove once closed.
	locks   []*os.File
	unlock  []string
	err     error // a failed write of a page line
	earlier *earlierPackage
}

// openArchive creates the archive of cfg. The WARC files are named after
// Config.WARC; if files of that name exist already (a resumed crawl), the
// new ones get a timestamp in their name, so that no file is overwritten.
// With only Config.WACZ, they are written to a temporary folder beside
// the package and removed once it is made. earlier, when not "", is the
// WACZ of the earlier runs of the crawl, whose captures the new package
// holds too.
//
// A run that is not the crawl's first (recover) first takes over what
// killed runs left (findKilledArchives): their WARC files get an index,
// and the package holds their captures too.
func openArchive(cfg Config, start time.Time, earlier string, recover bool) (_ *archiver, err error) {
	a := &archiver{wacz: cfg.WACZ, start: start, log: cfg.Log}
	defer func() {
		if err != nil {
			a.abort()
		}
	}()
	var killed *killedArchives
	if recover {
		if killed, err = findKilledArchives(cfg); err != nil {
			return nil, fmt.Errorf("taking over the archive files of a killed crawl: %w", err)
		}
	}
	if a.wacz != "" {
		if a.pages, err = os.CreateTemp(filepath.Dir(cfg.WACZ), ".crawl-pages-*.jsonl"); err != nil {
			return nil, fmt.Errorf("creating the WACZ's list of pages: %w", err)
		}
		if err = a.hold(a.pages.Name(), false); err != nil {
			return nil, err
		}
		a.pagesW = bufio.NewWriter(a.pages)
	}
	if a.wacz != "" && earlier != "" {
		if a.earlier, a.main, err = openEarlierPackage(earlier, a.pagesW); err != nil {
			return nil, fmt.Errorf("reading the package of the earlier runs, %s, to add this run's captures to it (move it away to start a new one): %w", earlier, err)
		}
	}
	if a.wacz != "" && killed != nil {
		if err = a.adopt(killed, filepath.Dir(cfg.WACZ)); err != nil {
			return nil, fmt.Errorf("taking over the archive files of a killed crawl: %w", err)
		}
	}
	name := cfg.WARC
	if name == "" {
		if a.tmpDir, err = os.MkdirTemp(filepath.Dir(cfg.WACZ), ".crawl-wacz-*"); err != nil {
			return nil, fmt.Errorf("creating the WACZ's temporary folder: %w", err)
		}
		if err = a.hold(filepath.Join(a.tmpDir, waczLockName), false); err != nil {
			return nil, err
		}
		name = filepath.Join(a.tmpDir, strings.TrimSuffix(filepath.Base(cfg.WACZ), ".wacz"))
	}
	dir, prefix := filepath.Split(strings.TrimSuffix(name, ".warc.gz"))
	opts := warc.Options{Dir: dir, Prefix: prefix, MaxSize: cfg.WARCMaxSize, Software: "crawl/" + Version,
		Info: warcinfo(cfg, start)}
	// A name no file has, on disk or in the earlier package.
	stamp := prefix + "-" + time.Now().UTC().Format("20060102T150405")
	for i := 1; ; i++ {
		if !a.earlier.clashes(opts.Prefix) {
			a.w, err = warc.Create(opts)
			if !errors.Is(err, fs.ErrExist) {
				break
			}
		}
		if i == maxPrefixTries {
			err = fmt.Errorf("%d names taken, the last %s: %w", i, opts.Prefix, fs.ErrExist)
			break
		}
		opts.Prefix = stamp
		if i > 1 {
			opts.Prefix += "-" + strconv.Itoa(i)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("creating the WARC file: %w", err)
	}
	if a.tmpDir == "" {
		// The mark of WARC files being written, for findKilledArchives.
		if err = a.hold(filepath.Join(opts.Dir, runLockName(opts.Prefix)), true); err != nil {
			return nil, err
		}
	}
	if a.index, err = cdxj.Create(filepath.Join(opts.Dir, opts.Prefix+".cdxj"), 0); err != nil {
		return nil, fmt.Errorf("creating the CDXJ index: %w", err)
	}
	return a, nil
}

// hold takes the lock of the file at path (holdLock) until the archive is
// closed; with remove, the file is removed then.
func (a *archiver) hold(path string, remove bool) error {
	f, err := holdLock(path)
	if err != nil {
		return fmt.Errorf("locking %s: %w", path, err)
	}
	a.locks = append(a.locks, f)
	if remove {
		a.unlock = append(a.unlock, path)
	}
	return nil
}

// maxPrefixTries bounds the names openArchive tries for the WARC files.
const maxPrefixTries = 10

// warcinfo returns the fields of the warcinfo records that describe the
// crawl, after the software and format the writer names: the User-Agent,
// the robots policy, when the crawl started and how it was started.
func warcinfo(cfg Config, start time.Time) warc.Header {
	robots := "ignore"
	if cfg.Robots {
		robots = "obey"
	}
	h := warc.Header{
		{Name: "http-header-user-agent", Value: cfg.Fetch.UserAgent},
		{Name: "robots", Value: robots},
		{Name: "crawl-start", Value: start.UTC().Format(time.RFC3339)},
	}
	if len(cfg.CommandLine) > 0 {
		args := make([]string, len(cfg.CommandLine))
		for i, a := range cfg.CommandLine {
			args[i] = shellQuote(a)
		}
		h = append(h, warc.Field{Name: "command-line", Value: oneLine(strings.Join(args, " "))})
	}
	return h
}

// shellQuote quotes a for a POSIX shell when it needs it.
func shellQuote(a string) string {
	if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@,+%") == "" {
		return a
	}
	return "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
}

// oneLine replaces the control characters of s, which a WARC field value
// cannot hold.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// write writes the exchanges of resp and their index lines, and notes the
// page it fetched, titled title, when its final exchange is archived: a
// page line without its capture names a page the package cannot show.
// An exchange that cannot be archived (warc.ErrInvalidExchange) does not
// stop the others; the error then wraps errNotArchived: the URL's
// failure, not the crawl's.
func (a *archiver) write(resp *fetch.Response, prev *store.Record, title string) error {
	archived := false // the last exchange
	var invalid error // of the exchanges that cannot be archived
	for _, ex := range resp.Exchanges {
		archived = false
		wex := &warc.Exchange{
			URL: ex.URL, IP: ex.RemoteIP, Date: ex.Date,
			Request: ex.Request, Response: ex.Response, ResponseLen: ex.Response.Len(),
			Truncated: ex.Truncated,
		}
		if ex.Status == 304 && prev != nil {
			// The capture still current is the earlier run's, whose date
			// the manifest has unless that run also got a 304.
			wex.RefersToURI = ex.URL
			if prev.Update != store.UpdateNotModified {
				wex.RefersToDate = prev.FetchedAt
			}
		}
		res, err := a.w.WriteExchange(wex)
		if errors.Is(err, warc.ErrInvalidExchange) {
			invalid = errors.Join(invalid, fmt.Errorf("%s: %w", ex.URL, err))
			continue
		}
		if err != nil {
			return fmt.Errorf("writing the WARC records of %s: %w", ex.URL, err)
		}
		e := cdxj.Entry{URL: ex.URL, Mime: cdxj.MediaType(res.ContentType), Status: strconv.Itoa(res.Status),
			Length: strconv.FormatInt(res.Length, 10), Offset: strconv.FormatInt(res.Offset, 10), Filename: res.File}
		if res.Type == warc.TypeRevisit {
			e.Mime = "warc/revisit"
		}
		if e.Mime == "" {
			e.Mime = "unk"
		}
		if res.Profile != warc.ProfileServerNotModified {
			e.Digest = res.PayloadDigest.String()
		}
		e.Key(res.Date)
		if err := a.index.Add(&e); err != nil {
			return fmt.Errorf("indexing the WARC records of %s: %w", ex.URL, err)
		}
		archived = true
	}
	if a.pages != nil && archived && resp.Body != nil {
		last := resp.Exchanges[len(resp.Exchanges)-1]
		if last.Status == 200 && parse.Classify(resp.ContentType) == parse.TypeHTML && !strings.HasSuffix(last.URL, "/robots.txt") {
			a.addPage(wacz.NewPage(last.URL, last.Date, title))
		}
	}
	if invalid != nil {
		return fmt.Errorf("%w: %w", errNotArchived, invalid)
	}
	return nil
}

// addPage adds a line to the WACZ's list of pages.
func (a *archiver) addPage(p wacz.Page) {
	line, _ := json.Marshal(p)
	a.pagesMu.Lock()
	defer a.pagesMu.Unlock()
	if a.main == nil {
		a.main = &p
	}
	if _, err := a.pagesW.Write(append(line, '\n')); err != nil && a.err == nil {
		a.err = fmt.Errorf("writing the WACZ's list of pages: %w", err)
	}
}

// sync makes the records written so far durable (warc.Writer.Sync).
func (a *archiver) sync() error { return a.w.Sync() }

// Close closes the WARC files, writes the sorted CDXJ index and, with
// Config.WACZ, packages them.
func (a *archiver) Close() error {
	err := a.w.Close()
	if ierr := a.index.Close(); err == nil {
		err = ierr
	}
	if err == nil && a.wacz != "" {
		err = a.pack()
	}
	if err == nil && a.killed != nil {
		// Packaged: what killed runs left can go.
		for _, p := range a.killed.pages {
			os.Remove(p)
		}
		for _, d := range a.killed.tmpDirs {
			os.RemoveAll(d)
		}
	}
	a.abort()
	return err
}

// pack writes the WACZ package.
func (a *archiver) pack() error {
	a.pagesMu.Lock()
	defer a.pagesMu.Unlock()
	if a.err != nil {
		return a.err
	}
	if err := a.pagesW.Flush(); err != nil {
		return fmt.Errorf("writing the WACZ's list of pages: %w", err)
	}
	warcs, index := a.w.Files(), a.index.Path()
	if a.earlier != nil {
		var err error
		if index, err = a.earlier.mergeIndex(index); err != nil {
			return fmt.Errorf("indexing the earlier runs' captures with this run's: %w", err)
		}
		warcs = append(slices.Clone(a.earlier.warcs), warcs...)
	}
	opts := wacz.Options{
		WARCs: warcs, Index: index, Pages: a.pages.Name(),
		Title: "crawl of " + strings.TrimSuffix(filepath.Base(a.wacz), ".wacz"), Software: "crawl/" + Version,
	}
	if a.main != nil {
		opts.MainPageURL = a.main.URL
		opts.MainPageDate, _ = time.Parse(time.RFC3339Nano, a.main.TS)
	}
	if err := wacz.Write(a.wacz, opts); err != nil {
		return fmt.Errorf("packaging the crawl: %w", err)
	}
	return nil
}

// abort removes the archive's temporary files: the list of pages, and the
// WARC files written only to be packaged.
func (a *archiver) abort() {
	for _, f := range a.locks {
		f.Close()
	}
	a.locks = nil
	for _, p := range a.unlock {
		os.Remove(p)
	}
	a.unlock = nil
	if a.pages != nil {
		a.pages.Close()
		os.Remove(a.pages.Name())
		a.pages = nil
	}
	if a.tmpDir != "" {
		if a.w != nil {
			a.w.Close()
		}
		os.RemoveAll(a.tmpDir)
		a.tmpDir = ""
	}
	a.earlier.remove()
}
