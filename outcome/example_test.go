package outcome_test

import (
	"fmt"

	"github.com/crawl-go/crawl/outcome"
)

func ExampleKind_Policy() {
	for _, k := range []outcome.Kind{outcome.HTTP4xx, outcome.Robots, outcome.TrapURLLength} {
		fmt.Println(k, "policy:", k.Policy(), "failure:", k.Failure())
	}
	// Output:
	// http_4xx policy: false failure: true
	// robots policy: true failure: false
	// trap_url_length policy: true failure: false
}
