package retryafter

import (
	"net/http"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value  string
		want   time.Duration
		wantOK bool
	}{
		{value: "120", want: 2 * time.Minute, wantOK: true},
		{value: " 3 ", want: 3 * time.Second, wantOK: true},
		{value: "0", want: 0, wantOK: true},
		{value: now.Add(90 * time.Second).Format(http.TimeFormat), want: 90 * time.Second, wantOK: true},
		{value: now.Add(45 * time.Second).Format(time.RFC850), want: 45 * time.Second, wantOK: true},
		{value: now.Add(10 * time.Second).Format(time.ANSIC), want: 10 * time.Second, wantOK: true},
		{value: now.Add(-time.Minute).Format(http.TimeFormat), want: 0, wantOK: true},
		{value: "", wantOK: false},
		{value: "-1", wantOK: false},
		{value: "1.5", wantOK: false},
		{value: "tomorrow", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			got, ok := Parse(tt.value, now)
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("retryafter.Parse(%q) = %v, %v; want %v, %v", tt.value, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
