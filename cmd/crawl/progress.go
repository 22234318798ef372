package main

import (
	"fmt"
	"io"
	"os"
	"time"

	crawl "github.com/crawl-go/crawl"
	"golang.org/x/term"
)

// progress prints a crawl's progress on stderr until stopped: a line
// redrawn five times a second on a terminal, a plain line every five
// seconds otherwise.
type progress struct {
	done chan struct{}
	wg   chan struct{}
}

func startProgress(w io.Writer, stats func() crawl.Summary) *progress {
	p := &progress{done: make(chan struct{}), wg: make(chan struct{})}
	live := false
	if f, ok := w.(*os.File); ok {
		live = term.IsTerminal(int(f.Fd()))
	}
	every := 5 * time.Second
	if live {
		every = 200 * time.Millisecond
	}
	go func() {
		defer close(p.wg)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-p.done:
				if live {
					fmt.Fprint(w, "\r\x1b[K")
				}
				return
			case <-t.C:
				line := stats().Progress()
				if live {
					fmt.Fprintf(w, "\r\x1b[K%s", line)
				} else {
					fmt.Fprintf(w, "crawl: %s\n", line)
				}
			}
		}
	}()
	return p
}

func (p *progress) stop() {
	close(p.done)
	<-p.wg
}
