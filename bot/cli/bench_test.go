package cli

import (
	"slices"
	"testing"
)

func TestBenchArgs(t *testing.T) {
	tests := []struct{ in, want []string }{
		{nil, nil},
		{[]string{"--json"}, []string{"--json"}},
		{[]string{"--json", "--sizes", "1000,10000"}, []string{"--json", "--", "--sizes", "1000,10000"}},
		{[]string{"--sizes=1000", "--corpus", "c", "--queries", "5"}, []string{"--corpus", "c", "--", "--sizes=1000", "--queries", "5"}},
		{[]string{"--json", "--", "--sizes", "1"}, []string{"--json", "--", "--sizes", "1"}},
	}
	for _, tt := range tests {
		if got := benchArgs(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("benchArgs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
