//go:build !linux

package priority

import "errors"

// Background lowers the CPU priority of the process; it is implemented
// on Linux only and returns an error elsewhere.
func Background() error {
	return errors.New("background priority is implemented on Linux only")
}
