package priority

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"unsafe"
)

// schedIdle is Linux's SCHED_IDLE policy: a thread runs only when no
// other thread wants its CPU, and a waking server thread preempts it at
// once.
const schedIdle = 5

// Background moves every thread of this process to SCHED_IDLE at nice
// 19, so that the work it does next yields the CPU to a server on the same
// machine. Linux keeps both per thread, and threads inherit them from the
// thread that creates them, so all present threads are changed.
func Background() error {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return fmt.Errorf("background priority: %w", err)
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, 19); err != nil {
			return fmt.Errorf("background priority of thread %d: %w", tid, err)
		}
		var param struct{ priority int32 }
		if _, _, errno := syscall.Syscall(syscall.SYS_SCHED_SETSCHEDULER, uintptr(tid), schedIdle, uintptr(unsafe.Pointer(&param))); errno != 0 {
			return fmt.Errorf("background priority of thread %d: %w", tid, errno)
		}
	}
	return nil
}
