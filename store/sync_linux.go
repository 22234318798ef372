package store

import "golang.org/x/sys/unix"

// syncAll makes everything written so far durable with one syncfs(2) on
// the output directory's file system. It also flushes other files of that
// file system, which costs little more than flushing ours: one call instead
// of one fsync per file.
func (s *Store) syncAll() error {
	d, err := s.root.Open(".")
	if err != nil {
		return err
	}
	defer d.Close()
	rc, err := d.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = unix.Syncfs(int(fd)) }); err != nil {
		return err
	}
	return serr
}
