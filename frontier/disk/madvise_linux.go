package disk

import "golang.org/x/sys/unix"

// unmapPages tells the kernel that this process no longer needs the size
// bytes mapped at addr, the start of the database file's mapping: their
// page table entries go, so they no longer count in the process's
// resident size. The pages stay in the page cache, and the next read of
// one maps it again without reading the disk. Errors are ignored: the
// call only saves memory.
func unmapPages(addr uintptr, size int64) {
	unix.Syscall(unix.SYS_MADVISE, addr, uintptr(size), unix.MADV_DONTNEED)
}
