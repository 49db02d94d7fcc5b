package recommend_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if an engine leaves a goroutine behind (the
// refresh loop and the erasures' retrains stop at Close).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
