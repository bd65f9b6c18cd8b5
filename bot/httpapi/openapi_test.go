package httpapi

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/citebot/citebot/rag"
)

type spec struct {
	OpenAPI    string                              `json:"openapi"`
	Paths      map[string]map[string]specOperation `json:"paths"`
	Components struct {
		Schemas   map[string]specSchema      `json:"schemas"`
		Responses map[string]json.RawMessage `json:"responses"`
	} `json:"components"`
}

type specOperation struct {
	Responses map[string]json.RawMessage `json:"responses"`
}

type specSchema struct {
	Properties map[string]json.RawMessage `json:"properties"`
	Required   []string                   `json:"required"`
	AllOf      []specSchema               `json:"allOf"`
	Ref        string                     `json:"$ref"`
}

// flat is the schema with the properties and requirements of its allOf
// parts (inline or referenced) merged in.
func (sc specSchema) flat(s spec) specSchema {
	out := specSchema{Properties: map[string]json.RawMessage{}, Required: slices.Clone(sc.Required)}
	maps.Copy(out.Properties, sc.Properties)
	for _, part := range sc.AllOf {
		if name, ok := strings.CutPrefix(part.Ref, "#/components/schemas/"); ok {
			part = s.Components.Schemas[name]
		}
		part = part.flat(s)
		maps.Copy(out.Properties, part.Properties)
		out.Required = append(out.Required, part.Required...)
	}
	return out
}

func readSpec(t *testing.T) spec {
	t.Helper()
	var s spec
	if err := json.Unmarshal(openAPISpec, &s); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return s
}

// specPath turns a ServeMux pattern path into an OpenAPI path.
func specPath(p string) string {
	p = strings.TrimSuffix(p, "{$}")
	return strings.ReplaceAll(p, "...}", "}")
}

// openapi.json lists exactly the routes of routes.go, each with exactly the
// statuses the route declares (which the other tests hold the handlers to).
func TestOpenAPIMatchesRoutes(t *testing.T) {
	s := readSpec(t)
	if !strings.HasPrefix(s.OpenAPI, "3.") {
		t.Errorf("openapi = %q, want 3.x", s.OpenAPI)
	}
	h := newHandler(t, sharedIndex(t), Options{})
	inRoutes := map[string]bool{}
	for _, rt := range h.routes(prometheus.NewRegistry()) {
		p, m := specPath(rt.path), strings.ToLower(rt.method)
		inRoutes[m+" "+p] = true
		op, ok := s.Paths[p][m]
		if !ok {
			t.Errorf("route %s is not in openapi.json", rt.pattern())
			continue
		}
		var documented []int
		for code := range op.Responses {
			n, err := strconv.Atoi(code)
			if err != nil {
				t.Errorf("%s %s: response %q is not a status", m, p, code)
			}
			documented = append(documented, n)
		}
		slices.Sort(documented)
		if declared := slices.Sorted(slices.Values(rt.statuses)); !slices.Equal(documented, declared) {
			t.Errorf("%s %s: openapi.json documents %v, routes.go declares %v", m, p, documented, declared)
		}
	}
	for p, ops := range s.Paths {
		for m := range ops {
			if !inRoutes[m+" "+p] {
				t.Errorf("openapi.json documents %s %s, which routes.go does not have", m, p)
			}
		}
	}
}

// Every $ref in the spec resolves.
func TestOpenAPIRefs(t *testing.T) {
	s := readSpec(t)
	var doc map[string]any
	if err := json.Unmarshal(openAPISpec, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				parts := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
				var at any = doc
				for _, p := range parts {
					m, _ := at.(map[string]any)
					at = m[p]
				}
				if at == nil {
					t.Errorf("$ref %s does not resolve", ref)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	if len(s.Components.Schemas) == 0 || len(s.Components.Responses) == 0 {
		t.Error("no components")
	}
}

// The schemas name exactly the JSON fields of the values the handlers
// encode and decode.
func TestOpenAPISchemasMatchTypes(t *testing.T) {
	s := readSpec(t)
	types := map[string]any{
		"Error":           errorBody{},
		"Status":          status{},
		"AskRequest":      askRequest{},
		"Answer":          rag.Answer{},
		"Citation":        rag.Citation{},
		"SearchResponse":  searchResponse{},
		"Passage":         rag.Passage{},
		"Documents":       documentsResponse{},
		"DocumentInfo":    rag.DocumentInfo{},
		"DocumentText":    documentText{},
		"KeptSpan":        keptSpan{},
		"SyncReport":      rag.SyncReport{},
		"AskResponse":     askResponse{},
		"Conversation":    conversationResponse{},
		"Turn":            rag.Turn{},
		"FeedbackRequest": feedbackRequest{},
		"Feedback":        rag.Feedback{},
		"Record":          rag.Record{},
		"Records":         recordsResponse{},
		"DayStat":         rag.DayStat{},
		"DeclinedPerDay":  declinedResponse{},
	}
	for name, v := range types {
		schema, ok := s.Components.Schemas[name]
		if !ok {
			t.Errorf("schema %s is missing", name)
			continue
		}
		schema = schema.flat(s)
		fields, required := jsonFields(reflect.TypeOf(v))
		if got := slices.Sorted(maps.Keys(schema.Properties)); !slices.Equal(got, fields) {
			t.Errorf("schema %s has properties %v, the Go type %v", name, got, fields)
		}
		for _, r := range schema.Required {
			if !slices.Contains(required, r) && name != "AskRequest" && name != "FeedbackRequest" {
				t.Errorf("schema %s requires %s, which the Go type may omit", name, r)
			}
		}
	}
	for name := range s.Components.Schemas {
		if _, ok := types[name]; !ok {
			t.Errorf("schema %s is not checked against a Go type", name)
		}
	}
}

// jsonFields returns the JSON names of t's fields, sorted, and those that
// are always present (not omitempty).
func jsonFields(t reflect.Type) (all, always []string) {
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if f.Anonymous && name == "" {
			a, b := jsonFields(f.Type)
			all, always = append(all, a...), append(always, b...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		all = append(all, name)
		if !strings.Contains(opts, "omitempty") {
			always = append(always, name)
		}
	}
	slices.Sort(all)
	return all, always
}

func TestOpenAPIServed(t *testing.T) {
	h := newHandler(t, sharedIndex(t), Options{})
	w := do(t, h, request{method: "GET", target: "/openapi.json"})
	if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), openAPISpec) {
		t.Errorf("openapi.json = %d, %d bytes", w.Code, w.Body.Len())
	}
}
