// Package human writes numbers for people to read: byte counts as the
// summary and the progress line show them.
package human

import "fmt"

// Bytes writes a byte count in binary units with one decimal: 512 B,
// 1.5 KiB, 12.3 MiB.
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
