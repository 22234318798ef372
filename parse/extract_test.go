package parse

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParseField(t *testing.T) {
	tests := []struct {
		spec string
		want Field
	}{
		{"title=h1", Field{Name: "title", Selector: "h1"}},
		{" title = h1.product-title ", Field{Name: "title", Selector: "h1.product-title"}},
		{"tags[]=ul.tags li", Field{Name: "tags", Selector: "ul.tags li", All: true}},
		{"img=img@src", Field{Name: "img", Selector: "img", Attr: "src"}},
		{"imgs[]=img@data-src", Field{Name: "imgs", Selector: "img", Attr: "data-src", All: true}},
		{`mail=a[href^="mailto:x@y"]`, Field{Name: "mail", Selector: `a[href^="mailto:x@y"]`}},
		{`mail=a[href^="mailto:"]@href`, Field{Name: "mail", Selector: `a[href^="mailto:"]`, Attr: "href"}},
		{`c=a:contains("x@y")`, Field{Name: "c", Selector: `a:contains("x@y")`}},
		{`c=a:contains("x@y") @title`, Field{Name: "c", Selector: `a:contains("x@y")`, Attr: "title"}},
		{"ns=svg@xlink:href", Field{Name: "ns", Selector: "svg", Attr: "xlink:href"}},
		{"g=h1, h2", Field{Name: "g", Selector: "h1, h2"}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseField(tt.spec)
			if err != nil {
				t.Fatalf("ParseField(%q): %v", tt.spec, err)
			}
			if got.Name != tt.want.Name || got.Selector != tt.want.Selector || got.Attr != tt.want.Attr || got.All != tt.want.All {
				t.Errorf("ParseField(%q) = %+v, want %+v", tt.spec, got, tt.want)
			}
			if got.sel == nil {
				t.Errorf("ParseField(%q) did not compile the selector", tt.spec)
			}
		})
	}
}

func TestParseFieldErrors(t *testing.T) {
	for _, spec := range []string{
		"",
		"title",
		"=h1",
		"[]=h1",
		"title=",
		"title=@href",
		"title=h1@",
		"title=h1@bad attr",
		"title=h1[",
		"title=::",
		"title=a[href=",
		"x=a=b", // '=' splits once: "a=b" is not a selector
	} {
		t.Run(spec, func(t *testing.T) {
			f, err := ParseField(spec)
			if err == nil {
				t.Fatalf("ParseField(%q) = %+v, want an error", spec, f)
			}
			if !errors.Is(err, ErrBadField) {
				t.Errorf("ParseField(%q) error %v does not wrap ErrBadField", spec, err)
			}
		})
	}
}

func TestExtract(t *testing.T) {
	body := readTestdata(t, "extract.html")
	var fields []Field
	for _, spec := range []string{
		"title=h1.product-title",
		"page_title=title",
		"price=.price",
		"currency=.price@data-currency",
		"tags[]=ul.tags li",
		"contacts[]=a.contact@href",
		"first_contact=a.contact@href",
		"missing=.nope",
		"missing_attr=h1@href",
		"missing_all[]=.nope",
		"image=img@src",
	} {
		f, err := ParseField(spec)
		if err != nil {
			t.Fatal(err)
		}
		fields = append(fields, f)
	}
	got, err := Extract(body, fields)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "contacts": [
    "mailto:sales@example.com",
    "tel:+1-555-0100"
  ],
  "currency": "EUR",
  "first_contact": "mailto:sales@example.com",
  "image": "/img/w3000.png",
  "missing": null,
  "missing_all": [],
  "missing_attr": null,
  "page_title": "Widget 3000 — Example Shop",
  "price": "19.99",
  "tags": [
    "blue",
    "small",
    "new"
  ],
  "title": "Widget 3000"
}`
	if string(b) != want {
		t.Errorf("Extract =\n%s\nwant\n%s", b, want)
	}
}

func TestExtractLiteralField(t *testing.T) {
	got, err := Extract([]byte("<p>a</p><p>b</p>"), []Field{{Name: "p", Selector: "p", All: true}})
	if err != nil {
		t.Fatal(err)
	}
	if ps, ok := got["p"].([]string); !ok || len(ps) != 2 || ps[0] != "a" || ps[1] != "b" {
		t.Errorf("Extract = %#v", got)
	}
	_, err = Extract([]byte("<p>"), []Field{{Name: "bad", Selector: "p["}})
	if !errors.Is(err, ErrBadField) {
		t.Errorf("Extract with a bad literal selector: error %v, want ErrBadField", err)
	}
}
