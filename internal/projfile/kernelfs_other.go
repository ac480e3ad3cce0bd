//go:build unix && !linux

package projfile

// kernelFS: only Linux has readable kernel files that look regular and are
// consumed by reading (procfs and sysfs here are not mounted in projects).
func kernelFS(int) bool { return false }
