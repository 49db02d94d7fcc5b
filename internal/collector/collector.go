// Package collector tunes the Go garbage collector of a serving process
// for latency: a collection marks the whole live heap (hundreds of MB once
// the models are loaded) and a steady request rate's slowest requests are
// the ones that meet it, so a server collects less often than Go's
// default and bounds its memory with a soft limit instead
// (docs/BENCHMARKS.md, serving latency).
package collector

import (
	"bufio"
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// Config sets the collector. Zero fields take the defaults documented on
// each. The environment variables GOGC and GOMEMLIMIT, when set, win over
// both, as they do for any Go program.
type Config struct {
	// Percent is the heap growth over the live heap that triggers a
	// collection, as GOGC (default 400: at 1,000 requests a second a
	// collection every ~50 s instead of every ~10 s on Beauty).
	Percent int
	// MemoryLimit is the soft limit of the Go heap in bytes, as
	// GOMEMLIMIT: near it the collector runs as often as it must, so the
	// higher Percent never costs more than this (default: half of the
	// machine's memory, or of the cgroup's limit when lower).
	MemoryLimit int64
}

// Settings are the values in force.
type Settings struct {
	Percent     int
	MemoryLimit int64
	// FromEnv names the environment variables that set a value instead
	// of the Config.
	FromEnv []string
}

// Apply sets the collector from c, except what getenv's GOGC and
// GOMEMLIMIT set, and returns what is in force and a function that
// restores the previous settings.
func Apply(c Config, getenv func(string) string) (Settings, func()) {
	prevPercent := debug.SetGCPercent(-1)
	debug.SetGCPercent(prevPercent)
	prevLimit := debug.SetMemoryLimit(-1)
	var s Settings
	if getenv("GOGC") != "" {
		s.Percent = prevPercent
		s.FromEnv = append(s.FromEnv, "GOGC")
	} else {
		s.Percent = c.Percent
		if s.Percent == 0 {
			s.Percent = DefaultPercent
		}
		debug.SetGCPercent(s.Percent)
	}
	if getenv("GOMEMLIMIT") != "" {
		s.MemoryLimit = prevLimit
		s.FromEnv = append(s.FromEnv, "GOMEMLIMIT")
	} else {
		s.MemoryLimit = c.MemoryLimit
		if s.MemoryLimit <= 0 {
			s.MemoryLimit = DefaultMemoryLimit()
		}
		debug.SetMemoryLimit(s.MemoryLimit)
	}
	return s, func() {
		debug.SetGCPercent(prevPercent)
		debug.SetMemoryLimit(prevLimit)
	}
}

// Log writes the settings in force to logger.
func (s Settings) Log(logger *slog.Logger) {
	logger.Info("garbage collector", "gc_percent", s.Percent, "memory_limit_mb", s.MemoryLimit>>20, "from_env", strings.Join(s.FromEnv, ","))
}

// DefaultPercent is Config.Percent's default.
const DefaultPercent = 400

// fallbackLimit is the default memory limit where the machine's memory
// cannot be read: 4 GiB.
const fallbackLimit = 4 << 30

// DefaultMemoryLimit returns half of the machine's memory, or of the
// cgroup's memory limit when that is lower; 4 GiB when neither can be read.
func DefaultMemoryLimit() int64 {
	total := readMemTotal("/proc/meminfo")
	if cg := readCgroupLimit("/sys/fs/cgroup/memory.max"); cg > 0 && (total == 0 || cg < total) {
		total = cg
	}
	if total <= 0 {
		return fallbackLimit
	}
	return total / 2
}

// readMemTotal returns MemTotal of a /proc/meminfo file in bytes, 0 when
// it cannot be read.
func readMemTotal(path string) int64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	v, _ := parseMemTotal(data)
	return v
}

// parseMemTotal finds the "MemTotal: N kB" line of meminfo data.
func parseMemTotal(data []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != "MemTotal" {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("meminfo: MemTotal %q: want N kB", rest)
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || kb <= 0 || kb > 1<<50 {
			return 0, fmt.Errorf("meminfo: MemTotal %q: not a size", f[0])
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("meminfo: no MemTotal")
}

// readCgroupLimit returns a cgroup v2 memory.max in bytes, 0 when it
// cannot be read or is "max".
func readCgroupLimit(path string) int64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	v, _ := parseCgroupLimit(data)
	return v
}

// parseCgroupLimit parses memory.max: a byte count, or "max" (no limit, 0).
func parseCgroupLimit(data []byte) (int64, error) {
	s := strings.TrimSpace(string(data))
	if s == "max" {
		return 0, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("memory.max %q: not a size", s)
	}
	return v, nil
}
