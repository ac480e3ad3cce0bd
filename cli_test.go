package main

import (
	"slices"
	"testing"
)

func TestParsePorts(t *testing.T) {
	tests := []struct {
		in   []string
		want []int
		ok   bool
	}{
		{[]string{"3000"}, []int{3000}, true},
		{[]string{"3000", "9229"}, []int{3000, 9229}, true},
		{[]string{"3000,3001", "3000"}, []int{3000, 3001}, true},
		{[]string{"4000-4002"}, []int{4000, 4001, 4002}, true},
		{[]string{"1"}, []int{1}, true},
		{[]string{"65535"}, []int{65535}, true},
		{[]string{"0"}, nil, false},
		{[]string{"65536"}, nil, false},
		{[]string{"70000"}, nil, false},
		{[]string{"abc"}, nil, false},
		{[]string{""}, nil, false},
		{[]string{"-1"}, nil, false},
		{[]string{"3000-"}, nil, false},
		{[]string{"3005-3000"}, nil, false},
		{[]string{"1-65535"}, nil, false},
	}
	for _, tt := range tests {
		got, err := parsePorts(tt.in)
		if (err == nil) != tt.ok || !slices.Equal(got, tt.want) {
			t.Errorf("parsePorts(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
