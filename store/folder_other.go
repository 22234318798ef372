//go:build !unix

package store

import (
	"os"
	"path/filepath"
)

// folder is a folder of the output directory held open for Put's fast
// path, as a sub-root of the Store's os.Root.
type folder struct{ *os.Root }

func openFolder(root *os.Root, dir string) (folder, error) {
	r, err := root.OpenRoot(filepath.FromSlash(dir))
	return folder{r}, err
}

func (d folder) close() error { return d.Root.Close() }

// create writes data to name, a new file of the folder, and closes it.
// On error nothing is left behind.
func (d folder) create(name string, data []byte) error {
	f, err := d.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		d.Root.Remove(name)
	}
	return err
}
