package sqlite_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a test leaves a goroutine behind (the group
// committer stops at Close).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
