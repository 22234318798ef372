package main

import (
	"fmt"
	"io"
	"strings"
)

// helpWidth is the width the help is wrapped to.
const helpWidth = 80

// usageColumn is where the flags' descriptions start.
const usageColumn = 30

// crawlUsage is the top of crawl's help.
const crawlUsage = `Usage: crawl [flags] URL...
       crawl [flags] -i FILE        read the URLs from FILE (- for stdin)
       crawl status DIR             how the crawl into DIR is doing
       crawl serve DIR              serve a mirror over HTTP, to browse it
       crawl help [TOPIC]           this help, or one group of flags
       crawl version

Downloads the URLs, or crawls from them, into a mirror under -o DIR, with
one line per URL in DIR/manifest.jsonl. Running the same command again
resumes an interrupted crawl.

Examples:
  crawl https://example.com/file.iso           download one URL
  crawl -i urls.txt -o out                     download a list of URLs
  crawl -r -np -k -E https://example.com/doc/  a folder and what its pages
                                               need, to browse offline
  crawl -m https://example.com/                mirror a site; run it again
                                               to update the mirror
  crawl -r --rate 1 --warc site https://example.com/
                                               politely, into WARC files too
  crawl status out                             the progress of a crawl

Flags may come before or after the URLs; -flag and --flag are the same. A
boolean flag takes --flag=false (or off, no) and --no-flag. wget's spellings
work where they mean what crawl does (crawl's -H and -o do not: see the
README's table).
`

// crawlHelpEnd is the end of crawl's help.
const crawlHelpEnd = `
Exit status: 0 all fetched, 1 some failed, 2 usage error, 130 interrupted.
%s
`

// printHelp prints the usage, then the flags of every group.
func (s *flagSet) printHelp(w io.Writer, top, end string) {
	fmt.Fprint(w, top)
	for _, g := range s.groups {
		fmt.Fprintln(w)
		s.printGroup(w, g)
	}
	fmt.Fprint(w, end)
}

// printGroup prints one group of flags.
func (s *flagSet) printGroup(w io.Writer, g *flagGroup) {
	if g.title != "" {
		fmt.Fprintf(w, "%s:\n", g.title)
	}
	for _, d := range g.defs {
		// Long flags line up after the short ones, as in GNU tools.
		head := "  " + strings.Join(d.names, ", ")
		if strings.HasPrefix(d.names[0], "--") {
			head = "      " + strings.Join(d.names, ", ")
		}
		if d.arg != "" {
			head += " " + d.arg
		}
		usage := d.usage
		if d.def != "" && d.def != "0" {
			usage += " (default " + d.def + ")"
		}
		lines := wrap(usage, helpWidth-1-usageColumn)
		if len(head) < usageColumn-1 {
			fmt.Fprintf(w, "%-*s%s\n", usageColumn, head, lines[0])
			lines = lines[1:]
		} else {
			fmt.Fprintln(w, head)
		}
		for _, l := range lines {
			fmt.Fprintf(w, "%*s%s\n", usageColumn, "", l)
		}
	}
}

// topic returns the group named name, or nil.
func (s *flagSet) topic(name string) *flagGroup {
	for _, g := range s.groups {
		if g.name == name {
			return g
		}
	}
	return nil
}

// topics returns the names of the groups.
func (s *flagSet) topics() []string {
	var names []string
	for _, g := range s.groups {
		names = append(names, g.name)
	}
	return names
}

// wrap cuts text into lines of at most width bytes, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case len(line)+1+len(word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	return append(lines, line)
}
