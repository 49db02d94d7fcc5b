package photo

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a test leaves a goroutine behind (the garbage
// collection a Budget starts for its waiters ends).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
