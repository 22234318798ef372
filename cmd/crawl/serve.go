package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"github.com/crawl-go/crawl/store"
)

const serveUsage = `Usage: crawl serve DIR [--addr 127.0.0.1:8080]

Serves the files of DIR over HTTP, with folder listings: a mirror to browse,
or a site to crawl offline. crawl's own folder, DIR/.crawl, is not served.
`

func newServeFlags(addr *string) *flagSet {
	s := newFlagSet("crawl serve")
	s.group("", "Flags")
	s.stringVar(addr, "127.0.0.1:8080", "HOST:PORT", "listen on HOST:PORT", "--addr")
	return s
}

// runServe serves a directory over HTTP until ctx ends, so that a crawl can
// be tried with no network: crawl serve testdata/site.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var addr string
	s := newServeFlags(&addr)
	pos, err := s.parse(args)
	switch {
	case errors.Is(err, errHelp):
		s.printHelp(stdout, serveUsage, "")
		return exitOK
	case errors.Is(err, errVersion):
		printVersion(stdout)
		return exitOK
	case err != nil:
		return usageFailed(stderr, "crawl serve", err)
	case len(pos) != 1:
		return usageFailed(stderr, "crawl serve", errors.New("give one directory: crawl serve DIR"))
	}
	dir := pos[0]
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		fmt.Fprintf(stderr, "crawl serve: %s is not a directory\n", dir)
		return exitUsage
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "crawl serve: %v\n", err)
		return exitFailures
	}
	fmt.Fprintf(stdout, "serving %s on http://%s/ (Ctrl-C to stop)\n", dir, ln.Addr())
	if err := serveDir(ctx, ln, dir, stderr); err != nil {
		fmt.Fprintf(stderr, "crawl serve: %v\n", err)
		return exitFailures
	}
	return exitOK
}

// serveDir serves dir on ln until ctx ends, then shuts down gracefully;
// the server's errors go to errLog.
func serveDir(ctx context.Context, ln net.Listener, dir string, errLog io.Writer) error {
	h, closeDir, err := dirHandler(dir)
	if err != nil {
		return err
	}
	defer closeDir()
	return serve(ctx, ln, h, errLog)
}

// dirHandler is the handler of crawl serve: the files of dir, with their
// type from their extension (or sniffed), and folder listings. crawl's
// work folder (.crawl: the state, the originals of converted files) is
// neither listed nor served, nor is anything outside dir: files are
// opened through an os.Root, so a symbolic link that leads out of dir
// (to /etc/passwd, say) is not followed. The caller calls the returned
// function when done serving.
func dirHandler(dir string) (http.Handler, func() error, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("serving %s: %w", dir, err)
	}
	files := http.FileServer(hidingFS{http.FS(root.FS())})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Go's type for .html says charset=utf-8, which a browser puts
		// before the page's own <meta charset>: a mirrored windows-1252
		// page would show garbled. Without a charset, the page's counts.
		switch strings.ToLower(path.Ext(r.URL.Path)) {
		case ".html", ".htm":
			w.Header().Set("Content-Type", "text/html")
		case ".css":
			w.Header().Set("Content-Type", "text/css")
		}
		files.ServeHTTP(w, r)
	}), root.Close, nil
}

// hidingFS is a file system without the top-level work folder.
type hidingFS struct{ fs http.FileSystem }

func (h hidingFS) Open(name string) (http.File, error) {
	if isWorkPath(name) {
		return nil, fs.ErrNotExist
	}
	f, err := h.fs.Open(name)
	if err != nil {
		return nil, err
	}
	if path.Clean("/"+name) == "/" {
		return hidingDir{f}, nil
	}
	return f, nil
}

// isWorkPath reports whether the slash-separated name is the work folder
// or under it.
func isWorkPath(name string) bool {
	first, _, _ := strings.Cut(strings.TrimPrefix(path.Clean("/"+name), "/"), "/")
	return strings.EqualFold(first, store.WorkDir)
}

// hidingDir is the top folder, listed without the work folder.
type hidingDir struct{ http.File }

func (d hidingDir) Readdir(n int) ([]fs.FileInfo, error) {
	infos, err := d.File.Readdir(n)
	kept := infos[:0]
	for _, fi := range infos {
		if !strings.EqualFold(fi.Name(), store.WorkDir) {
			kept = append(kept, fi)
		}
	}
	if n > 0 && len(kept) == 0 && len(infos) > 0 && err == nil {
		// Only the work folder was read: read on, so that an empty
		// result still means the end.
		return d.Readdir(n)
	}
	return kept, err
}

// serve serves h on ln until ctx ends, then shuts down gracefully. The
// server's errors (a client's bad TLS handshake, say) go to errLog.
func serve(ctx context.Context, ln net.Listener, h http.Handler, errLog io.Writer) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(errLog, "crawl serve: ", 0),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdown)
	<-errc
	return err
}
