package outcome

import "testing"

func TestKinds(t *testing.T) {
	for _, tt := range []struct {
		k               Kind
		policy, failure bool
	}{
		{"", false, false},
		{HTTP4xx, false, true},
		{HostUnreachable, false, true},
		{RobotsUnavailable, false, true},
		{Robots, true, false},
		{TrapURLLength, true, false},
		{TrapQueryVariants, true, false},
		{Missing, false, false},
	} {
		if tt.k.Policy() != tt.policy || tt.k.Failure() != tt.failure {
			t.Errorf("%q: Policy %v, Failure %v; want %v, %v", tt.k, tt.k.Policy(), tt.k.Failure(), tt.policy, tt.failure)
		}
	}
	if got := OffSite.Redirect(); got != "redirect_off_site" {
		t.Errorf("OffSite.Redirect() = %q", got)
	}
}
