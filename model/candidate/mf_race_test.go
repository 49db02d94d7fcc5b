//go:build race

package candidate_test

// mfRaceEnabled reports whether the race detector is on; the real-data
// test is too slow under it.
const mfRaceEnabled = true
