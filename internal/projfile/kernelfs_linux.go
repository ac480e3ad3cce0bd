package projfile

import "golang.org/x/sys/unix"

// kernelFS reports whether fd is on one of the kernel's own file systems
// (procfs, sysfs, debugfs, tracefs, securityfs, bpf, cgroup), checked on
// the open descriptor, so a path swapped meanwhile cannot slip past.
func kernelFS(fd int) bool {
	var fs unix.Statfs_t
	if unix.Fstatfs(fd, &fs) != nil {
		return true // unknown: not read
	}
	switch fs.Type {
	case unix.PROC_SUPER_MAGIC, unix.SYSFS_MAGIC, unix.DEBUGFS_MAGIC, unix.TRACEFS_MAGIC,
		unix.SECURITYFS_MAGIC, unix.BPF_FS_MAGIC, unix.CGROUP_SUPER_MAGIC, unix.CGROUP2_SUPER_MAGIC:
		return true
	}
	return false
}
