//go:build unix

package store

import (
	"io"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// folder is a folder of the output directory held open for Put's fast
// path. Here it is a descriptor of the folder, opened through the Store's
// os.Root (so it is inside the output directory), that its files are
// created, renamed and removed relative to with the *at system calls:
// four calls a file (open, write, close, rename), where os.Root's adds a
// stat before the rename, and os.File's open an fcntl and an epoll_ctl.
// Names are single path elements; creation never follows a symbolic link
// (O_EXCL|O_NOFOLLOW), and a rename replaces a link instead of following
// it, so nothing is written outside the folder.
type folder struct {
	f  *os.File
	rc syscall.RawConn
}

func openFolder(root *os.Root, dir string) (folder, error) {
	f, err := root.Open(filepath.FromSlash(dir))
	if err != nil {
		return folder{}, err
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return folder{}, err
	}
	return folder{f: f, rc: rc}, nil
}

func (d folder) close() error { return d.f.Close() }

// do runs fn with the folder's descriptor.
func (d folder) do(fn func(dirfd int) error) error {
	var err error
	if cerr := d.rc.Control(func(fd uintptr) { err = fn(int(fd)) }); cerr != nil {
		return cerr
	}
	return err
}

// create writes data to name, a new file of the folder, and closes it.
// On error nothing is left behind.
func (d folder) create(name string, data []byte) error {
	return d.do(func(dirfd int) error {
		var fd int
		err := retryEINTR(func() (err error) {
			fd, err = unix.Openat(dirfd, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0o644)
			return err
		})
		if err != nil {
			return &os.PathError{Op: "openat", Path: name, Err: err}
		}
		for len(data) > 0 && err == nil {
			var n int
			err = retryEINTR(func() (err error) {
				n, err = unix.Write(fd, data)
				return err
			})
			switch {
			case err != nil:
			case n <= 0:
				err = io.ErrShortWrite
			default:
				data = data[n:]
			}
		}
		if cerr := unix.Close(fd); err == nil {
			err = cerr
		}
		if err != nil {
			unix.Unlinkat(dirfd, name, 0)
			return &os.PathError{Op: "write", Path: name, Err: err}
		}
		return nil
	})
}

func (d folder) Rename(oldname, newname string) error {
	return d.do(func(dirfd int) error {
		if err := unix.Renameat(dirfd, oldname, dirfd, newname); err != nil {
			return &os.LinkError{Op: "renameat", Old: oldname, New: newname, Err: err}
		}
		return nil
	})
}

func (d folder) Link(oldname, newname string) error {
	return d.do(func(dirfd int) error {
		if err := unix.Linkat(dirfd, oldname, dirfd, newname, 0); err != nil {
			return &os.LinkError{Op: "linkat", Old: oldname, New: newname, Err: err}
		}
		return nil
	})
}

func (d folder) Remove(name string) error {
	return d.do(func(dirfd int) error {
		if err := unix.Unlinkat(dirfd, name, 0); err != nil {
			return &os.PathError{Op: "unlinkat", Path: name, Err: err}
		}
		return nil
	})
}

func retryEINTR(fn func() error) error {
	for {
		if err := fn(); err != unix.EINTR {
			return err
		}
	}
}
