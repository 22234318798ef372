package fetch

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestGetIf(t *testing.T) {
	modified := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	var got []http.Header
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Clone())
		mu.Unlock()
		if r.URL.Path == "/etag" {
			w.Header().Set("ETag", `"v1"`)
		}
		http.ServeContent(w, r, "x.txt", modified, strings.NewReader("body"))
	}))
	f := New(Options{})
	first, err := f.Get(context.Background(), srv.URL+"/etag")
	if err != nil {
		t.Fatal(err)
	}
	first.Body.Release()
	v := ValidatorsOf(first.Header)
	if v.ETag != `"v1"` || v.LastModified != modified.Format(http.TimeFormat) {
		t.Fatalf("ValidatorsOf = %+v", v)
	}
	tests := []struct {
		name       string
		path       string
		v          Validators
		wantStatus int
		wantBody   string
	}{
		{"no validators", "/etag", Validators{}, 200, "body"},
		{"etag matches", "/etag", Validators{ETag: `"v1"`}, 304, ""},
		{"etag changed", "/etag", Validators{ETag: `"v0"`, LastModified: v.LastModified}, 200, "body"},
		{"date only", "/date", Validators{LastModified: v.LastModified}, 304, ""},
		{"older date", "/date", Validators{LastModified: modified.Add(-time.Hour).Format(http.TimeFormat)}, 200, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			got = got[:0]
			mu.Unlock()
			res, err := f.GetIf(context.Background(), srv.URL+tt.path, tt.v)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Release()
			if res.Status != tt.wantStatus || string(res.Body.Bytes()) != tt.wantBody {
				t.Errorf("status %d, body %q; want %d, %q", res.Status, res.Body.Bytes(), tt.wantStatus, tt.wantBody)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 1 {
				t.Fatalf("%d requests; want 1", len(got))
			}
			if h := got[0].Get("If-None-Match"); h != tt.v.ETag {
				t.Errorf("If-None-Match = %q; want %q", h, tt.v.ETag)
			}
			if h := got[0].Get("If-Modified-Since"); h != tt.v.LastModified {
				t.Errorf("If-Modified-Since = %q; want %q", h, tt.v.LastModified)
			}
		})
	}
}
