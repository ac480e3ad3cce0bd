package infer

import (
	"fmt"
	"slices"
	"testing"
)

func TestComposePorts(t *testing.T) {
	const dir = "testdata/compose"
	tests := []struct {
		argv []string
		env  []string
		want []int
	}{
		{[]string{"docker", "compose", "up"}, nil, []int{6380, 6381, 5432, 3001, 9229, 8100, 8101, 4000}},
		{[]string{"docker", "compose", "up", "-d", "db", "web"}, nil, []int{5432, 3001, 9229, 4000}},
		{[]string{"docker-compose", "up", "--scale", "web=2", "cache"}, nil, []int{6380, 6381}},
		{[]string{"docker", "compose", "up", "web"}, []string{"WEB_PORT=3100"}, []int{3100, 9229, 4000}},
		{[]string{"docker", "compose", "-f", "compose.yaml", "up", "web"}, nil, []int{3001, 9229}},
		{[]string{"docker", "compose", "start", "db"}, nil, []int{5432}},
		{[]string{"docker", "compose", "down"}, nil, nil},
		{[]string{"docker", "compose", "logs", "-f", "web"}, nil, nil},
		{[]string{"podman-compose", "up", "dns"}, nil, nil},
	}
	for _, tt := range tests {
		var got []int
		for _, p := range Ports(tt.argv, tt.env, dir) {
			got = append(got, p.Port)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Ports(%q) = %v, want %v", tt.argv, got, tt.want)
		}
	}
}

func TestInterpolate(t *testing.T) {
	vars := map[string]string{"A": "1", "EMPTY": ""}
	for in, want := range map[string]string{
		"${A}:80": "1:80", "$A": "1", "${B:-9}": "9", "${EMPTY:-9}": "9", "${EMPTY-9}": "", "${B-9}": "9", "$$A": "$A",
	} {
		if got := interpolate(in, vars); got != want {
			t.Errorf("interpolate(%q) = %q, want %q", in, got, want)
		}
	}
}

// errYAMLTooBig's text is written out rather than formatted at start-up;
// it must still name the limits the code applies.
func TestErrYAMLTooBigNamesItsLimits(t *testing.T) {
	want := fmt.Sprintf("nested more than %d levels, or more than %d values once its aliases are expanded", maxNesting, maxYAMLNodes)
	if errYAMLTooBig.Error() != want {
		t.Errorf("errYAMLTooBig = %q, want %q", errYAMLTooBig, want)
	}
}
