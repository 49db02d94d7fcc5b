package collector

import (
	"runtime/debug"
	"testing"
)

func TestApplySetsAndRestores(t *testing.T) {
	before, beforeLimit := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
	debug.SetGCPercent(before)
	noEnv := func(string) string { return "" }
	s, restore := Apply(Config{Percent: 250, MemoryLimit: 3 << 30}, noEnv)
	if s.Percent != 250 || s.MemoryLimit != 3<<30 || len(s.FromEnv) != 0 {
		t.Fatalf("settings %+v", s)
	}
	if got := debug.SetGCPercent(-1); got != 250 {
		t.Errorf("GC percent %d, want 250", got)
	}
	debug.SetGCPercent(250)
	if got := debug.SetMemoryLimit(-1); got != 3<<30 {
		t.Errorf("memory limit %d, want 3 GiB", got)
	}
	restore()
	if got := debug.SetGCPercent(-1); got != before {
		t.Errorf("restored GC percent %d, want %d", got, before)
	}
	debug.SetGCPercent(before)
	if got := debug.SetMemoryLimit(-1); got != beforeLimit {
		t.Errorf("restored memory limit %d, want %d", got, beforeLimit)
	}
}

func TestApplyDefaults(t *testing.T) {
	s, restore := Apply(Config{}, func(string) string { return "" })
	defer restore()
	if s.Percent != DefaultPercent {
		t.Errorf("percent %d, want %d", s.Percent, DefaultPercent)
	}
	if s.MemoryLimit != DefaultMemoryLimit() || s.MemoryLimit <= 0 {
		t.Errorf("memory limit %d, want %d", s.MemoryLimit, DefaultMemoryLimit())
	}
}

// TestEnvironmentWins: GOGC and GOMEMLIMIT, as for any Go program, win
// over the configuration, which then changes nothing.
func TestEnvironmentWins(t *testing.T) {
	before := debug.SetGCPercent(-1)
	debug.SetGCPercent(before)
	env := map[string]string{"GOGC": "150", "GOMEMLIMIT": "1GiB"}
	s, restore := Apply(Config{Percent: 900, MemoryLimit: 1 << 40}, func(k string) string { return env[k] })
	defer restore()
	if len(s.FromEnv) != 2 {
		t.Fatalf("from env %v, want GOGC and GOMEMLIMIT", s.FromEnv)
	}
	if got := debug.SetGCPercent(-1); got != before {
		t.Errorf("GC percent changed to %d with GOGC set", got)
	}
	debug.SetGCPercent(before)
	if s.MemoryLimit == 1<<40 {
		t.Error("memory limit taken from the configuration with GOMEMLIMIT set")
	}
}

func TestParseMemTotal(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"MemTotal:       24568732 kB\nMemFree: 1 kB\n", 24568732 << 10, true},
		{"MemFree: 1 kB\nMemTotal: 2048 kB\n", 2 << 20, true},
		{"MemTotal: 12 MB\n", 0, false},
		{"MemTotal: -5 kB\n", 0, false},
		{"MemTotal: 99999999999999999999 kB\n", 0, false},
		{"", 0, false},
	} {
		got, err := parseMemTotal([]byte(tt.in))
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseMemTotal(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseCgroupLimit(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"max\n", 0, true},
		{"8589934592\n", 8 << 30, true},
		{"0", 0, false},
		{"lots", 0, false},
	} {
		got, err := parseCgroupLimit([]byte(tt.in))
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseCgroupLimit(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func FuzzParseMemTotal(f *testing.F) {
	f.Add([]byte("MemTotal:       24568732 kB\n"))
	f.Add([]byte("MemTotal: 1 kB"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if v, err := parseMemTotal(data); err == nil && v <= 0 {
			t.Fatalf("accepted non-positive size %d", v)
		}
	})
}

func FuzzParseCgroupLimit(f *testing.F) {
	f.Add([]byte("max"))
	f.Add([]byte("8589934592\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if v, err := parseCgroupLimit(data); err == nil && v < 0 {
			t.Fatalf("accepted negative size %d", v)
		}
	})
}
