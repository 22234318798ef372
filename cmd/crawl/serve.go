package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// runServe serves a directory over HTTP until ctx ends, so that a crawl can
// be tried with no network: crawl serve testdata/site.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `host:port`")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: crawl serve DIR [--addr 127.0.0.1:8080]")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 {
		fs.Usage()
		return exitUsage
	}
	dir := pos[0]
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		fmt.Fprintf(stderr, "crawl serve: %s is not a directory\n", dir)
		return exitUsage
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "crawl serve: %v\n", err)
		return exitFailures
	}
	fmt.Fprintf(stdout, "serving %s on http://%s/ (Ctrl-C to stop)\n", dir, ln.Addr())
	if err := serveDir(ctx, ln, dir); err != nil {
		fmt.Fprintf(stderr, "crawl serve: %v\n", err)
		return exitFailures
	}
	return exitOK
}

// serveDir serves dir on ln until ctx ends, then shuts down gracefully.
func serveDir(ctx context.Context, ln net.Listener, dir string) error {
	return serve(ctx, ln, dirHandler(dir))
}

// dirHandler is the handler of crawl serve: the files of dir, with their
// type from their extension (or sniffed), and folder listings.
func dirHandler(dir string) http.Handler { return http.FileServer(http.Dir(dir)) }

// serve serves h on ln until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
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
