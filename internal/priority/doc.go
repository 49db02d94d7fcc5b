// Package priority lowers the CPU priority of the whole process, so that
// batch work (training) yields the CPU to a server on the same machine.
package priority
