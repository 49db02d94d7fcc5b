package ngram

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if Encode or Train leaves a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
