package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// parsed is what a test command line set.
type parsed struct {
	o   crawlOptions
	s   *flagSet
	pos []string
}

func parseCrawl(t *testing.T, args ...string) (*parsed, error) {
	t.Helper()
	p := &parsed{}
	p.s = newCrawlFlags(&p.o)
	var err error
	p.pos, err = p.s.parse(args)
	if err == nil {
		_, err = p.o.resolveWget(p.s)
	}
	return p, err
}

func TestParse(t *testing.T) {
	tests := []struct {
		args  []string
		check func(p *parsed) bool
	}{
		{[]string{"http://a/", "--depth", "2", "http://b/", "-q"}, func(p *parsed) bool {
			return fmt.Sprint(p.pos) == "[http://a/ http://b/]" && p.o.depth == 2 && p.o.quiet
		}},
		{[]string{"-depth=1", "http://a/"}, func(p *parsed) bool { return p.o.depth == 1 }},
		{[]string{"-q", "--", "-odd-name", "--depth"}, func(p *parsed) bool {
			return fmt.Sprint(p.pos) == "[-odd-name --depth]" && p.o.quiet
		}},
		{[]string{"--depth", "inf"}, func(p *parsed) bool { return p.o.depth == depthInf }},
		{[]string{"-r"}, func(p *parsed) bool { return p.o.depth == recursiveDepth }},
		{[]string{"-r", "-l", "2"}, func(p *parsed) bool { return p.o.depth == 2 }},
		{[]string{"-l2", "-r"}, func(p *parsed) bool { return p.o.depth == 2 }},
		{[]string{"-r", "-l", "inf"}, func(p *parsed) bool { return p.o.depth == depthInf }},
		{[]string{"-r", "-l", "0"}, func(p *parsed) bool { return p.o.depth == depthInf }}, // wget: 0 is no limit
		{[]string{"--level=3"}, func(p *parsed) bool { return p.o.depth == 3 }},
		{[]string{"-m"}, func(p *parsed) bool { return p.o.depth == depthInf && p.o.update }},
		{[]string{"--mirror", "-l", "1"}, func(p *parsed) bool { return p.o.depth == 1 && p.o.update }},
		{[]string{"-np", "-nH=false"}, func(p *parsed) bool { return p.o.noParent && !p.o.noHostDirs }},
		{[]string{"-nH", "--no-directories"}, func(p *parsed) bool { return p.o.noHostDirs && p.o.noDirs }},
		{[]string{"--robots=false"}, func(p *parsed) bool { return !p.o.robots }},
		{[]string{"--robots=off"}, func(p *parsed) bool { return !p.o.robots }},
		{[]string{"--robots=No"}, func(p *parsed) bool { return !p.o.robots }},
		{[]string{"--robots=off", "--robots=yes"}, func(p *parsed) bool { return p.o.robots }},
		{[]string{"--no-robots"}, func(p *parsed) bool { return !p.o.robots }},
		{[]string{"-e", "robots=off"}, func(p *parsed) bool { return !p.o.robots }},
		{[]string{"-erobots=off"}, func(p *parsed) bool { return !p.o.robots }},
		{[]string{"--execute=robots = on", "--robots=false"}, func(p *parsed) bool { return !p.o.robots }},
		{[]string{"-np"}, func(p *parsed) bool { return p.o.noParent }},
		{[]string{"--no-parent"}, func(p *parsed) bool { return p.o.noParent }},
		{[]string{"-P", "dir"}, func(p *parsed) bool { return p.o.out == "dir" }},
		{[]string{"-P/tmp/x"}, func(p *parsed) bool { return p.o.out == "/tmp/x" }},
		{[]string{"--directory-prefix=d"}, func(p *parsed) bool { return p.o.out == "d" }},
		{[]string{"-w", "2"}, func(p *parsed) bool { return p.o.rate == 0.5 }},
		{[]string{"--wait=500ms"}, func(p *parsed) bool { return p.o.rate == 2 }},
		{[]string{"-w", "1m"}, func(p *parsed) bool { return p.o.rate == 1.0/60 }},
		{[]string{"-U", "bot/1"}, func(p *parsed) bool { return p.o.userAgent == "bot/1" }},
		{[]string{"-A", "pdf,jpg", "--accept", "*.zip"}, func(p *parsed) bool { return fmt.Sprint(p.o.accept) == "[pdf jpg *.zip]" }},
		{[]string{"-R", "iso"}, func(p *parsed) bool { return fmt.Sprint(p.o.reject) == "[iso]" }},
		{[]string{"-t", "1"}, func(p *parsed) bool { return p.o.retries == 0 }},
		{[]string{"--tries=5"}, func(p *parsed) bool { return p.o.retries == 4 }},
		{[]string{"-T", "5"}, func(p *parsed) bool { return p.o.readTimeout == 5*time.Second }},
		{[]string{"--timeout", "90"}, func(p *parsed) bool { return p.o.timeout == 90*time.Second }},
		{[]string{"--timeout", "1m30s"}, func(p *parsed) bool { return p.o.timeout == 90*time.Second }},
		{[]string{"--header", "A: b", "-H", "C: d"}, func(p *parsed) bool { return fmt.Sprint(p.o.hdrs) == "[A: b C: d]" }},
		{[]string{"--user", "bob", "--password", "pw"}, func(p *parsed) bool { return p.o.user == "bob:pw" }},
		{[]string{"-N"}, func(p *parsed) bool { return p.o.update }},
		{[]string{"--timestamping"}, func(p *parsed) bool { return p.o.update }},
		{[]string{"-k", "-E", "-p"}, func(p *parsed) bool { return p.o.convertLinks && p.o.adjustExt && p.o.requisites }},
		{[]string{"-"}, func(p *parsed) bool { return fmt.Sprint(p.pos) == "[-]" }},
		{[]string{"-O", "f.iso", "-c"}, func(p *parsed) bool { return p.o.output == "f.iso" && p.o.cont }},
		{[]string{"--output-document=-", "-C", "-"}, func(p *parsed) bool { return p.o.output == "-" && p.o.cont }},
		{[]string{"--save-headers"}, func(p *parsed) bool { return p.o.saveHeaders }},
		{[]string{"--limit-rate", "200k"}, func(p *parsed) bool { return p.o.limitRate == 200<<10 }},
		{[]string{"--limit-rate=1.5M"}, func(p *parsed) bool { return p.o.limitRate == 3<<19 }},
		{[]string{"--limit-rate", "2.5k"}, func(p *parsed) bool { return p.o.limitRate == 2560 }},
		{[]string{"--limit-rate", "1000"}, func(p *parsed) bool { return p.o.limitRate == 1000 }},
		{[]string{"--max-overall-download-limit=1MiB"}, func(p *parsed) bool { return p.o.limitRate == 1<<20 }},
		{[]string{"--random-wait", "-w", "2"}, func(p *parsed) bool { return p.o.randomWait && p.o.rate == 0.5 }},
	}
	for _, tt := range tests {
		if tt.check == nil {
			continue
		}
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			p, err := parseCrawl(t, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(p) {
				t.Errorf("parsed to %+v, positional %q", p.o, p.pos)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string // the message
	}{
		{[]string{"--robots", "false", "http://a/"}, "--robots takes no value; write --robots=false"},
		{[]string{"-q", "OFF"}, "-q takes no value; write -q=off"},
		{[]string{"--robots=maybe"}, "--robots=maybe: want true, false"},
		{[]string{"--nope"}, "unknown flag --nope"},
		{[]string{"--frobnicate"}, "unknown flag --frobnicate"},
		{[]string{"--no-parnet"}, "unknown flag --no-parnet; did you mean --no-parent?"},
		{[]string{"-no-parent"}, ""}, // one dash is fine
		{[]string{"--dpeth", "2"}, "unknown flag --dpeth; did you mean --depth?"},
		{[]string{"--max-page=2"}, "unknown flag --max-page; did you mean --max-pages?"},
		{[]string{"--verison"}, "unknown flag --verison; did you mean --version?"},
		{[]string{"--conv"}, "unknown flag --conv; did you mean --convert-links?"},
		{[]string{"-x"}, "unknown flag -x"},
		{[]string{"--cut-dirs=2"}, "--cut-dirs is not taken by crawl: -nH leaves out the host folder, -nd every folder"},
		{[]string{"--span-hosts"}, "--span-hosts is --scope any in crawl"},
		{[]string{"-C", "5"}, "-C 5: crawl continues its own partial downloads from where they end"},
		{[]string{"--limit-rate", "fast"}, "--limit-rate fast: want bytes per second, like 200k or 1.5M"},
		{[]string{"--limit-rate", "-1k"}, "want bytes per second"},
		{[]string{"--depth"}, "--depth needs a value (--depth N)"},
		{[]string{"--depth", "deep"}, "--depth deep: want a number of levels, or inf"},
		{[]string{"-l", "-1"}, "-l -1: want a number of levels, or inf"},
		{[]string{"-t", "0"}, "-t 0: crawl does not retry without end"},
		{[]string{"-w", "soon"}, "-w soon: want a duration"},
		{[]string{"-e", "wait=1"}, "-e wait=1: crawl takes only robots=off or robots=on here"},
		{[]string{"-r", "--depth", "2", "-l", "3"}, "--depth and -l both set the depth; give one"},
		{[]string{"-w", "1", "--rate", "3"}, "-w and --rate both set the rate; give one"},
		{[]string{"--user", "bob:x", "--password", "y"}, "--password goes with --user NAME"},
		{[]string{"-A", "[a-"}, "-A: bad pattern"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := parseCrawl(t, tt.args...)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ue *usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v; want a usage error with %q", err, tt.want)
			}
		})
	}
	for _, a := range []string{"-h", "--help", "-help"} {
		if _, err := parseCrawl(t, "-q", a, "--nope"); !errors.Is(err, errHelp) {
			t.Errorf("%s: %v", a, err)
		}
	}
	for _, a := range []string{"-V", "--version"} {
		if _, err := parseCrawl(t, a); !errors.Is(err, errVersion) {
			t.Errorf("%s: %v", a, err)
		}
	}
}

func TestCheckArgs(t *testing.T) {
	for _, tt := range []struct{ arg, want string }{
		{"https://example.com/", ""},
		{"http://bad host/", ""}, // a bad URL: the crawl records it
		{"help", `"help" is not a URL; did you mean crawl help?`},
		{"stauts", `"stauts" is not a URL; did you mean crawl status?`},
		{"example.com/docs", `"example.com/docs" is not a URL; did you mean https://example.com/docs?`},
		// A local server rarely speaks TLS: http:// is the likely one.
		{"localhost:8080", `did you mean http://localhost:8080?`},
		{"127.0.0.1:8080/x", `did you mean http://127.0.0.1:8080/x?`},
		{"[::1]:8080", `did you mean http://[::1]:8080?`},
		{"fish", `"fish" is not a URL (write it with http:// or https://)`},
	} {
		err := checkArgs([]string{tt.arg})
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("checkArgs(%q) = %v; want %q", tt.arg, err, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"depth", "depth", 0}, {"dpeth", "depth", 1},
		{"no-parnet", "no-parent", 1}, {"kitten", "sitting", 3}, {"ca", "abc", 3},
	} {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestParseSeconds(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"30": 30 * time.Second, "1.5": 1500 * time.Millisecond, "2m": 2 * time.Minute,
		"1h30m": 90 * time.Minute, "500ms": 500 * time.Millisecond, "1d": 24 * time.Hour, "0": 0,
	} {
		if got, err := parseSeconds(in); err != nil || got != want {
			t.Errorf("parseSeconds(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "soon", "5x", "-2s"} {
		if _, err := parseSeconds(in); err == nil {
			t.Errorf("parseSeconds(%q) succeeded", in)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "123": 123, "64K": 64 << 10, "10M": 10 << 20, "2G": 2 << 30, "1MiB": 1 << 20, "5m": 5 << 20, "1.5M": 3 << 19, "0.5K": 512} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "ten", "1T", "99999999999G", "1.5", "-1.5M", "1e3K", "NaNM", "InfK", "0x10M"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) succeeded", in)
		}
	}
}

// FuzzParse checks that no command line makes the flag layer panic, and
// that what it rejects is a usage error.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"-r\x00-l2\x00http://a/", "--robots\x00false", "-erobots=off", "--no-parent", "-A\x00[a-", "--depth=inf\x00--", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var o crawlOptions
		s := newCrawlFlags(&o)
		_, err := s.parse(strings.Split(line, "\x00"))
		if err == nil {
			_, err = o.resolveWget(s)
		}
		var ue *usageError
		if err != nil && !errors.Is(err, errHelp) && !errors.Is(err, errVersion) && !errors.As(err, &ue) {
			t.Fatalf("%q: %v is not a usage error", line, err)
		}
	})
}

func TestWACZName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"site.wacz", "site.wacz"},
		{"out/SITE.WACZ", "out/SITE.WACZ"},
		{"out/pkg", "out/pkg.wacz"},
		{"site.warc", "site.warc.wacz"},
	} {
		if got := waczName(tt.in); got != tt.want {
			t.Errorf("waczName(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
