// Package atomicfile writes files that readers see whole: the old file or
// the new one, never a part of it. The bytes go to a temporary file beside
// the final name, which is renamed over it once they are all written.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write writes the file at path with what write writes to it, atomically:
// into a temporary file in path's folder (which must exist), made readable
// by all (0644), synced first when sync is set, then renamed over path. On
// any error the temporary file is removed and path is left as it was.
func Write(path string, sync bool, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	err = write(f)
	if err == nil {
		err = f.Chmod(0o644) // CreateTemp made it private
	}
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// WriteFile writes data to the file at path, atomically, as Write does.
func WriteFile(path string, data []byte) error {
	return Write(path, false, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
