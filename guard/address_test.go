package guard

import "testing"

func TestCoexist(t *testing.T) {
	tests := []struct {
		host, holder string
		want         bool
	}{
		{"127.0.0.2", "127.0.0.1:3000", true},
		{"127.0.0.1", "127.0.0.1:3000", false},
		{"127.0.0.1", "0.0.0.0:3000", false},
		{"127.0.0.1", "[::]:3000", false}, // dual-stack wildcard
		{"0.0.0.0", "127.0.0.1:3000", false},
		{"::", "127.0.0.1:3000", false},
		{"::1", "127.0.0.1:3000", true},
		{"127.0.0.1", "[::1]:3000", true},
		{"127.0.0.1", "[::ffff:127.0.0.1]:3000", false}, // the same address, mapped
		{"", "127.0.0.1:3000", false},                   // unknown: a conflict
		{"localhost", "127.0.0.1:3000", false},
		{"127.0.0.2", "garbage", false},
	}
	for _, tt := range tests {
		if got := coexist(tt.host, tt.holder); got != tt.want {
			t.Errorf("coexist(%q, %q) = %v, want %v", tt.host, tt.holder, got, tt.want)
		}
	}
}
