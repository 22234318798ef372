package store

import (
	"strings"
	"testing"
)

func TestDispositionName(t *testing.T) {
	tests := []struct{ header, want string }{
		{`attachment; filename="report.pdf"`, "report.pdf"},
		{`attachment; filename=report.pdf`, "report.pdf"},
		{`attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`, "résumé.pdf"},
		{`attachment; filename="../../etc/passwd"`, "passwd"},
		{`attachment; filename="C:\\Windows\\evil.exe"`, "evil.exe"},
		{`attachment; filename=".bashrc"`, "%2Ebashrc"},
		{`attachment; filename=".."`, ""},
		{`attachment; filename="a%2Fb?.txt"`, "a%252Fb%3F.txt"},
		{"attachment; filename=\"bad\x01name\"", "bad%01name"}, // control bytes escaped
		{`inline`, ""},
		{`attachment; filename=""`, ""},
		{`not a header;;`, ""},
	}
	for _, tt := range tests {
		if got := DispositionName(tt.header); got != tt.want {
			t.Errorf("DispositionName(%q) = %q; want %q", tt.header, got, tt.want)
		}
	}
	long := DispositionName(`attachment; filename="` + strings.Repeat("x", 400) + `.pdf"`)
	if len(long) > MaxName || !strings.HasSuffix(long, ".pdf") {
		t.Errorf("long name %q (%d bytes)", long, len(long))
	}
	if got := WithName("h/dl/get?id=3", "report.pdf"); got != "h/dl/report.pdf" {
		t.Errorf("WithName = %q", got)
	}
}

func FuzzDispositionName(f *testing.F) {
	f.Add(`attachment; filename="report.pdf"`)
	f.Add(`attachment; filename*=UTF-8''%2E%2E%2Fx`)
	f.Fuzz(func(t *testing.T, header string) {
		name := DispositionName(header)
		if name == "" {
			return
		}
		if strings.ContainsAny(name, "/\x00") || name == "." || name == ".." || strings.HasPrefix(name, ".") || len(name) > MaxName {
			t.Fatalf("DispositionName(%q) = %q: not a safe file name", header, name)
		}
		if err := checkRel("h/" + name); err != nil {
			t.Fatalf("DispositionName(%q) = %q: %v", header, name, err)
		}
	})
}
