package wrap

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Exec runs the command as portguard's child, since Windows has no exec:
// with portguard's stdin, stdout and stderr, and portguard exits with its
// exit code. Ctrl-C and Ctrl-Break go to every process on the console, so
// the command gets them itself; portguard only ignores them while it
// waits, as a shell does. It returns only when the command cannot start.
//
// A batch file (npm.cmd) runs through cmd.exe with a command line built
// for cmd.exe's own parsing (batch.go), never with Go's quoting alone.
func Exec(path string, argv, env []string) error {
	cmd := exec.Command(path, argv[1:]...)
	cmd.Args[0] = argv[0]
	if IsBatch(path) {
		comspec := os.Getenv("ComSpec")
		if comspec == "" {
			comspec = filepath.Join(os.Getenv("SystemRoot"), "System32", "cmd.exe")
		}
		line, err := BatchCommandLine(comspec, path, argv[1:])
		if err != nil {
			return &CommandError{Name: argv[0], Err: fmt.Errorf("%w: %w", ErrNotExecutable, err)}
		}
		cmd = exec.Command(comspec)
		cmd.SysProcAttr = &syscall.SysProcAttr{CmdLine: line}
	}
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	if err := cmd.Start(); err != nil {
		signal.Stop(interrupts)
		return &CommandError{Name: argv[0], Err: fmt.Errorf("%w: %v", ErrNotExecutable, err)}
	}
	go func() {
		for range interrupts {
		}
	}()
	// The command goes in a job object that ends with portguard: if
	// portguard itself is ended (TerminateProcess, as portguard ends a
	// wrapper), the server does not outlive it as an orphan holding the
	// port. Where the job cannot be made, the command runs as before.
	if job, err := killOnCloseJob(); err == nil {
		if p, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, uint32(cmd.Process.Pid)); err == nil {
			_ = windows.AssignProcessToJobObject(job, p)
			windows.CloseHandle(p)
		}
		// job stays open until portguard exits: closing it ends the command.
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		os.Exit(exit.ExitCode())
	}
	if err != nil {
		os.Exit(1)
	}
	os.Exit(0)
	return nil
}

// isExecutable is whether Windows, which has no execute bit, runs the file
// by its name: its extension is one PATHEXT lists, as exec.LookPath and
// cmd.exe decide (npm is npm.cmd; a README is no program).
func isExecutable(fi fs.FileInfo) bool {
	ext := filepath.Ext(fi.Name())
	if ext == "" {
		return false
	}
	pathext := os.Getenv("PATHEXT")
	if pathext == "" {
		pathext = ".com;.exe;.bat;.cmd" // exec.LookPath's default too
	}
	for _, e := range strings.Split(pathext, ";") {
		if strings.EqualFold(e, ext) {
			return true
		}
	}
	return false
}

// notProgram is why a file that exists cannot be run.
const notProgram = "not a program (PATHEXT lists no such extension)"

// killOnCloseJob makes a job object whose processes are ended when its
// last handle closes: when portguard exits, however it exits.
func killOnCloseJob() (windows.Handle, error) {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return 0, err
	}
	info := windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION{}
	info.BasicLimitInformation.LimitFlags = windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
	if _, err := windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		windows.CloseHandle(job)
		return 0, err
	}
	return job, nil
}
