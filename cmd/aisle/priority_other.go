//go:build !linux

package main

import "errors"

// runInBackground is implemented on Linux only.
func runInBackground() error {
	return errors.New("background priority is implemented on Linux only")
}
