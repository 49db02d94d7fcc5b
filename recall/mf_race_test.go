//go:build race

package recall_test

// mfRaceEnabled reports whether the race detector is on; the real-data
// test is too slow under it.
const mfRaceEnabled = true
