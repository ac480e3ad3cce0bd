package prompt

import (
	"slices"
	"testing"
	"time"
)

var options = []Option{{'y', "Terminate"}, {'n', "Abort"}, {'r', "Run anyway"}}

func TestMatch(t *testing.T) {
	tests := []struct {
		answer string
		want   int
		ok     bool
	}{
		{"", 0, true},
		{"y", 0, true},
		{"Yes", 0, true},
		{"n", 1, true},
		{"NO", 1, true},
		{"r", 2, true},
		{"x", 0, false},
		{"é", 0, false},
	}
	for _, tt := range tests {
		got, ok := match(tt.answer, options)
		if got != tt.want || ok != tt.ok {
			t.Errorf("match(%q) = %d, %v; want %d, %v", tt.answer, got, ok, tt.want, tt.ok)
		}
	}
}

func TestKeys(t *testing.T) {
	if got := keys(options); got != "[Y/n/r]" {
		t.Errorf("keys = %q", got)
	}
	if got := keys(options[:2]); got != "[Y/n]" {
		t.Errorf("keys = %q", got)
	}
}

func TestAge(t *testing.T) {
	tests := map[time.Duration]string{
		5 * time.Second:                 "5s",
		90 * time.Second:                "1m",
		2*time.Hour + 13*time.Minute:    "2h 13m",
		3*24*time.Hour + 4*time.Hour:    "3d 4h",
		59*time.Minute + 59*time.Second: "59m",
	}
	for d, want := range tests {
		if got := Age(d); got != want {
			t.Errorf("Age(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestParsePicks(t *testing.T) {
	tests := []struct {
		in   string
		want []int
		bad  bool
	}{
		{"1 3\n", []int{0, 2}, false},
		{"3,1\n", []int{2, 0}, false},
		{"\n", nil, false},
		{"2 2", []int{1}, false},
		{"4", nil, true},
		{"x", nil, true},
	}
	for _, tt := range tests {
		got, err := parsePicks(tt.in, 3)
		if (err != nil) != tt.bad || !slices.Equal(got, tt.want) {
			t.Errorf("parsePicks(%q) = %v, %v", tt.in, got, err)
		}
	}
}
