package fetch

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/publicsuffix"
)

func TestLoadCookies(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	file := strings.Join([]string{
		"# Netscape HTTP Cookie File",
		"",
		".example.com\tTRUE\t/\tFALSE\t0\tsession\ts1",
		"www.example.com\tFALSE\t/app\tTRUE\t1900000000\tsecure\ts2",
		"#HttpOnly_example.com\tFALSE\t/\tFALSE\t1900000000\thonly\ts3",
		"example.com\tFALSE\t/\tFALSE\t1700000000\texpired\tgone",
		"example.com\tFALSE\t/\tFALSE\t0\tempty",
	}, "\n")
	jar, _ := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
	n, err := LoadCookies(jar, strings.NewReader(file), "cookies.txt", now)
	if err != nil || n != 4 {
		t.Fatalf("LoadCookies = %d, %v; want 4, nil", n, err)
	}
	for _, tt := range []struct{ url, want string }{
		{"http://example.com/", "session=s1 honly=s3 empty="},
		{"http://sub.example.com/", "session=s1"},
		{"https://www.example.com/app/x", "secure=s2 session=s1"},
		{"http://www.example.com/app/x", "session=s1"}, // secure needs https
		{"http://other.com/", ""},
	} {
		u, _ := url.Parse(tt.url)
		var got []string
		for _, c := range jar.Cookies(u) {
			got = append(got, c.Name+"="+c.Value)
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("cookies for %s = %q; want %q", tt.url, strings.Join(got, " "), tt.want)
		}
	}
	if _, err := LoadCookies(jar, strings.NewReader("a\tb\n"), "bad.txt", now); err == nil || !strings.Contains(err.Error(), "bad.txt:1") {
		t.Errorf("malformed line: %v", err)
	}
}

func TestParseResolve(t *testing.T) {
	for _, tt := range []struct{ in, key, addr string }{
		{"example.com:443:127.0.0.1", "example.com:443", "127.0.0.1:443"},
		{"Example.COM:80:[::1]", "example.com:80", "[::1]:80"},
	} {
		key, addr, err := ParseResolve(tt.in)
		if err != nil || key != tt.key || addr != tt.addr {
			t.Errorf("ParseResolve(%q) = %q, %q, %v", tt.in, key, addr, err)
		}
	}
	for _, bad := range []string{"", "example.com", "example.com:80", "example.com:x:127.0.0.1", "example.com:80:notanip"} {
		if _, _, err := ParseResolve(bad); err == nil {
			t.Errorf("ParseResolve(%q) succeeded", bad)
		}
	}
}

func TestResolveCookiesAndAuth(t *testing.T) {
	// Two "hosts" that are one test server, told apart by the Host
	// header: credentials go to a.test only, also not after a redirect
	// to b.test, and cookies set by a.test come back to it.
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		c, _ := r.Cookie("seen")
		cookie := ""
		if c != nil {
			cookie = c.Value
		}
		switch {
		case r.URL.Path == "/set":
			http.SetCookie(w, &http.Cookie{Name: "seen", Value: "yes", Path: "/"})
		case r.URL.Path == "/away":
			_, port, _ := net.SplitHostPort(r.Host)
			http.Redirect(w, r, "http://b.test:"+port+"/landed", http.StatusFound)
			return
		}
		fmt.Fprintf(w, "%s %s:%s cookie=%s", r.Host, user, pass, cookie)
	}))
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	resolve := map[string]string{}
	for _, h := range []string{"a.test", "b.test"} {
		key, addr, err := ParseResolve(h + ":" + port + ":127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		resolve[key] = addr
	}
	jar, _ := cookiejar.New(nil)
	tr := AuthTransport(NewTransportWith(TransportOptions{Conns: 2, Resolve: resolve}), map[string]*url.Userinfo{"a.test:" + port: url.UserPassword("u", "p")})
	f := newFetcher(t, Options{Transport: tr, Jar: jar})
	get := func(u string) string {
		t.Helper()
		resp, err := f.Get(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Release()
		return string(resp.Body.Bytes())
	}
	a, b := "http://a.test:"+port, "http://b.test:"+port
	for _, tt := range []struct{ url, want string }{
		{a + "/set", "a.test:" + port + " u:p cookie="},
		{a + "/again", "a.test:" + port + " u:p cookie=yes"},
		{b + "/", "b.test:" + port + " : cookie="},
		{a + "/away", "b.test:" + port + " : cookie="},
	} {
		if got := get(tt.url); got != tt.want {
			t.Errorf("%s: %q; want %q", tt.url, got, tt.want)
		}
	}
}
