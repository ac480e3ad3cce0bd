//go:build linux

package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sys/unix"

	"github.com/portguard/portguard/detect"
)

// The test binary doubles as portguard itself and as "holder", a tiny
// listener the tests put on real loopback ports. testscript installs both
// on PATH under those names.
func TestMain(m *testing.M) {
	markTestRun()
	testscript.Main(sweepingM{m}, map[string]func(){
		"portguard": main,
		"holder":    holderMain,
		// A holder named as Docker's port forwarder, for the container
		// tests (CI has no Docker engine).
		"docker-proxy": holderMain,
	})
}

// TestScripts runs the end-to-end sessions in testdata/script.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Condition:           haveCondition,
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			env.Setenv("PORTGUARD_YES", "")
			// For install.sh: the checkout, and a Go that builds offline
			// from the caches the tests themselves were built with.
			repo, err := os.Getwd()
			if err != nil {
				return err
			}
			env.Setenv("REPO", repo)
			for k, v := range goEnv() {
				env.Setenv(k, v)
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"hold":      cmdHold,
			"alive":     cmdAlive,
			"listening": cmdListening,
			"exits":     cmdExits,
		},
	})
}

var goEnv = sync.OnceValue(func() map[string]string {
	vars := map[string]string{}
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH", "GOFLAGS", "GOPROXY", "GOTOOLCHAIN").Output()
	if err != nil {
		return vars
	}
	for i, k := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOFLAGS", "GOPROXY", "GOTOOLCHAIN"} {
		if lines := strings.Split(string(out), "\n"); i < len(lines) {
			vars[k] = lines[i]
		}
	}
	return vars
})

// holderMain listens on -addr, prints "port N", and then waits: for ever,
// or, with a command, for that command, which it runs while holding the
// port (so the holder is the command's ancestor); "{port}" in the command
// is replaced by the port. Flags make it misbehave the ways real servers do.
func holderMain() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	ignoreTerm := flag.Bool("ignore-term", false, "ignore SIGTERM")
	reportTerm := flag.Bool("report-term", false, `print "got TERM" on SIGTERM (with -ignore-term, and go on)`)
	exitOnTerm := flag.Duration("exit-on-term", -1, "on SIGTERM, exit after this long")
	once := flag.Bool("once", false, "exit as soon as it listens, as a stand-in dev server that started")
	exitAfter := flag.Duration("exit-after", 0, "exit by itself after this long, as a job that finishes")
	respawn := flag.Bool("respawn", false, "be a watcher: run a holder as a child and start it again whenever it exits")
	name := flag.String("name", "", "rename itself with prctl(PR_SET_NAME), as a supervisor such as systemd --user is named")
	handOff := flag.Bool("hand-off", false, `leave the socket to a child "sleep" and exit, printing "child PID"`)
	udp := flag.Bool("udp", false, "bind a UDP socket instead of listening on TCP")
	reusePort := flag.Bool("reuseport", false, "listen with SO_REUSEPORT, so that several holders share the port")
	workers := flag.Int("workers", 0, `be a pre-fork server: start this many "sleep" workers that share the socket (they die with the holder)`)
	sendFD := flag.String("send-fd", "", "once listening, pass the listening socket over the unix socket at this path (SCM_RIGHTS), and keep it")
	rebind := flag.Bool("rebind-on-term", false, `on SIGTERM, start a child in its process group that listens on the same address once it can, print "child PID", and exit`)
	retry := flag.Duration("retry", 0, "retry listening for this long while the address is in use")
	recvFD := flag.String("recv-fd", "", "listen on nothing; take a listening socket passed over the unix socket at this path, and hold it")
	flag.Parse()
	if *recvFD != "" {
		holdPassedSocket(*recvFD)
	}
	if *name != "" {
		_ = unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(&append([]byte(*name), 0)[0])), 0, 0, 0)
	}
	if *respawn {
		superviseHolder(*addr, flag.Args())
	}
	terms := make(chan os.Signal, 1)
	switch {
	case *reportTerm:
		signal.Notify(terms, syscall.SIGTERM)
		go func() {
			for range terms {
				fmt.Println("got TERM")
			}
		}()
	case *ignoreTerm:
		signal.Ignore(syscall.SIGTERM)
	}
	if *exitOnTerm >= 0 {
		signal.Notify(terms, syscall.SIGTERM)
		go func() {
			<-terms
			time.Sleep(*exitOnTerm)
			os.Exit(0)
		}()
	}
	if *udp {
		conn, err := net.ListenPacket("udp", *addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "holder:", err)
			os.Exit(1)
		}
		fmt.Printf("port %d\n", conn.LocalAddr().(*net.UDPAddr).Port)
		for {
			time.Sleep(time.Hour)
		}
	}
	var lc net.ListenConfig
	if *reusePort {
		lc.Control = func(_, _ string, c syscall.RawConn) error {
			return c.Control(func(fd uintptr) {
				_ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
			})
		}
	}
	ln, err := lc.Listen(context.Background(), "tcp", *addr)
	for deadline := time.Now().Add(*retry); err != nil && errors.Is(err, syscall.EADDRINUSE) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		ln, err = lc.Listen(context.Background(), "tcp", *addr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "holder:", err)
		os.Exit(1)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if *rebind {
		signal.Notify(terms, syscall.SIGTERM)
		go func() {
			<-terms
			child := exec.Command(os.Args[0], "-addr", ln.Addr().String(), "-retry", "5s")
			if err := child.Start(); err != nil {
				os.Exit(1)
			}
			fmt.Printf("child %d\n", child.Process.Pid)
			os.Exit(0)
		}()
	}
	for range *workers {
		f, err := ln.(*net.TCPListener).File()
		if err != nil {
			os.Exit(1)
		}
		worker := exec.Command("sleep", "300")
		worker.ExtraFiles = []*os.File{f}
		worker.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := worker.Start(); err != nil {
			os.Exit(1)
		}
	}
	if *sendFD != "" {
		passSocket(ln, *sendFD)
	}
	fmt.Printf("port %d\n", port)
	if *exitAfter > 0 {
		time.AfterFunc(*exitAfter, func() { os.Exit(0) })
	}
	switch {
	case *once:
		os.Exit(0)
	case *handOff:
		f, err := ln.(*net.TCPListener).File()
		if err != nil {
			os.Exit(1)
		}
		child := exec.Command("sleep", "300")
		child.ExtraFiles = []*os.File{f}
		if err := child.Start(); err != nil {
			os.Exit(1)
		}
		fmt.Printf("child %d\n", child.Process.Pid)
		os.Exit(0)
	}
	if args := flag.Args(); len(args) > 0 {
		for i := range args {
			args[i] = strings.ReplaceAll(args[i], "{port}", strconv.Itoa(port))
		}
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			fmt.Printf("child exit %d\n", exit.ExitCode())
		}
		os.Exit(0)
	}
	for {
		time.Sleep(time.Hour)
	}
}

// passSocket sends the listener's descriptor over the unix socket at path.
func passSocket(ln net.Listener, path string) {
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		os.Exit(1)
	}
	c, err := net.Dial("unix", path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "holder:", err)
		os.Exit(1)
	}
	if _, _, err := c.(*net.UnixConn).WriteMsgUnix([]byte{0}, unix.UnixRights(int(f.Fd())), nil); err != nil {
		os.Exit(1)
	}
	c.Close()
}

// holdPassedSocket takes a listening socket passed over the unix socket at
// path, prints "port N" and holds it for ever.
func holdPassedSocket(path string) {
	l, err := net.Listen("unix", path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "holder:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	c, err := l.Accept()
	if err != nil {
		os.Exit(1)
	}
	oob := make([]byte, unix.CmsgSpace(4))
	_, oobn, _, _, err := c.(*net.UnixConn).ReadMsgUnix(make([]byte, 1), oob)
	if err != nil {
		os.Exit(1)
	}
	msgs, _ := unix.ParseSocketControlMessage(oob[:oobn])
	if len(msgs) == 0 {
		os.Exit(1)
	}
	fds, _ := unix.ParseUnixRights(&msgs[0])
	if len(fds) == 0 {
		os.Exit(1)
	}
	sa, _ := unix.Getsockname(fds[0])
	if in4, ok := sa.(*unix.SockaddrInet4); ok {
		fmt.Printf("port %d\n", in4.Port)
	}
	for {
		time.Sleep(time.Hour)
	}
}

// superviseHolder is a watcher portguard does not know by name: it keeps a
// child holder listening on one port, restarting it when it exits.
func superviseHolder(addr string, args []string) {
	self, _ := os.Executable()
	for {
		child := exec.Command(self, append([]string{"-addr", addr}, args...)...)
		child.Args[0] = "holder"
		child.Stderr = os.Stderr
		out, _ := child.StdoutPipe()
		if child.Start() != nil {
			os.Exit(1)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "port "); ok {
			addr = "127.0.0.1:" + p // restart on the same port
		}
		fmt.Print(line)
		_ = child.Wait()
		time.Sleep(50 * time.Millisecond)
	}
}

// holderProc is a running holder started by a test.
type holderProc struct {
	cmd  *exec.Cmd
	Port int
	done chan struct{}
	out  *bufio.Reader
	// handOff is the "child PID" line of a -hand-off holder.
	handOff string
	stdout  *os.File // out's pipe, closed once the holder is reaped
	// mark is the owner mark in the holder's environment: Stop ends
	// every process that carries it, the holder's children included.
	mark string
}

// startHolder starts "holder" with args for owner (a test's name) and
// waits until it listens.
func startHolder(owner string, args ...string) (*holderProc, error) {
	path, err := exec.LookPath("holder")
	if err != nil {
		return nil, err
	}
	return startHolderCmd(owner, exec.Command(path, args...))
}

var holderSeq atomic.Int64

// startHolderCmd starts a holder command for owner and waits until it
// listens.
func startHolderCmd(owner string, cmd *exec.Cmd) (*holderProc, error) {
	args := cmd.Args[1:]
	mark := fmt.Sprintf("%s#holder%d", owner, holderSeq.Add(1))
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, testOwnerVar+"="+mark)
	if cmd.SysProcAttr == nil {
		// A job of its own, as a server started from a shell is: not in
		// the test binary's process group.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	}
	stderrStarted := stderrCopy(cmd)
	// A pipe of the test's own, not StdoutPipe: Wait, which reaps the
	// holder the moment it exits, closes a StdoutPipe's reading end, and
	// what the holder printed last ("child exit 75") was lost whenever it
	// exited before the test read it.
	stdout, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout = w
	err = cmd.Start()
	w.Close() // the holder has its own copy
	stderrStarted()
	if err != nil {
		stdout.Close()
		return nil, err
	}
	h := &holderProc{cmd: cmd, done: make(chan struct{}), out: bufio.NewReader(stdout), stdout: stdout, mark: mark}
	line, err := h.out.ReadString('\n')
	var port int
	if _, scanErr := fmt.Sscanf(line, "port %d", &port); err != nil || scanErr != nil {
		h.Stop()
		return nil, fmt.Errorf("holder %v did not start listening: %q %v", args, line, err)
	}
	h.Port = port
	proto := detect.TCP
	if slices.Contains(args, "-udp") {
		proto = detect.UDP
	}
	if err := agreesWithSS(proto, port); err != nil {
		h.Stop()
		return nil, err
	}
	if slices.Contains(args, "-hand-off") {
		// Read the child's PID before reaping: Wait closes the pipe as
		// soon as the holder exits, which a hand-off does at once.
		if h.handOff, err = h.out.ReadString('\n'); err != nil {
			h.Stop()
			return nil, fmt.Errorf("holder %v did not hand off: %v", args, err)
		}
	}
	// Reap the holder as soon as it exits, so that a terminated holder
	// is really gone (not a zombie) when the test looks.
	go func() {
		_ = cmd.Wait()
		close(h.done)
	}()
	return h, nil
}

// agreesWithSS checks portguard's detection against ss -lnp, the tool it
// must agree with, for every holder a test starts: the same processes on
// the same addresses. A holder that hands its socket to a child is briefly
// in between, so a disagreement is only one that lasts.
func agreesWithSS(proto detect.Protocol, port int) error {
	if _, err := exec.LookPath("ss"); err != nil {
		if os.Getenv("CI") != "" {
			return errors.New("ss is not installed; .ci/run installs iproute2")
		}
		return nil
	}
	var ours, theirs []string
	for range 100 {
		hs, err := detect.HoldersOf(proto, port)
		if err != nil {
			return err
		}
		ours = ours[:0]
		for _, h := range hs {
			ours = append(ours, fmt.Sprintf("%s pid %d", canonicalAddr(h.Addr), h.PID))
		}
		theirs, err = ssHolders(proto, port)
		if err != nil {
			return err
		}
		slices.Sort(ours)
		ours = slices.Compact(ours)
		if slices.Equal(ours, theirs) {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("detect and ss disagree on :%d\n  detect: %q\n  ss:     %q", port, ours, theirs)
}

var ssPID = regexp.MustCompile(`pid=(\d+)`)

// ssHolders runs ss -Hln[tu]p for the port and lists "ADDR pid PID" for
// each process of each socket ("pid 0" for a socket whose process ss
// cannot see).
func ssHolders(proto detect.Protocol, port int) ([]string, error) {
	flags := "-Hlntp"
	if proto == detect.UDP {
		flags = "-Hlnup"
	}
	out, err := exec.Command("ss", flags, fmt.Sprintf("sport = :%d", port)).Output()
	if err != nil {
		return nil, fmt.Errorf("ss: %v", err)
	}
	var list []string
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		addr := canonicalAddr(f[3])
		pids := ssPID.FindAllStringSubmatch(line, -1)
		if len(pids) == 0 {
			list = append(list, addr+" pid 0")
		}
		for _, m := range pids {
			list = append(list, addr+" pid "+m[1])
		}
	}
	slices.Sort(list)
	return slices.Compact(list), nil
}

// canonicalAddr writes ss's and portguard's addresses alike: ss writes
// the IPv6 wildcard as *, may add %interface, and writes IPv4-mapped
// addresses in IPv6 form.
func canonicalAddr(hostport string) string {
	i := strings.LastIndexByte(hostport, ':')
	if i < 0 {
		return hostport
	}
	host := strings.Trim(hostport[:i], "[]")
	host, _, _ = strings.Cut(host, "%")
	if host == "*" {
		host = "::"
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		host = ip.Unmap().String()
	}
	return host + ":" + hostport[i+1:]
}

func (h *holderProc) PID() int { return h.cmd.Process.Pid }

// Stop kills the holder by PID unless it already exited, and then every
// process it started, wherever they were re-parented.
func (h *holderProc) Stop() {
	if h.stdout != nil {
		defer h.stdout.Close()
	}
	defer endMarked(testOwnerVar, h.mark)
	select {
	case <-h.done:
		return
	default:
	}
	_ = h.cmd.Process.Kill()
	if h.done != nil {
		select {
		case <-h.done:
		case <-time.After(5 * time.Second):
		}
	}
}

// hold NAME [-as PROGRAM] [holder flags] [-- command]: start a holder (or
// the holder installed as PROGRAM, such as docker-proxy); $NAME is its
// port and $NAME_PID its PID. It is killed when the script ends.
func cmdHold(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: hold NAME [-addr ADDR] [-ignore-term] [-exit-on-term DUR] [command...]")
	}
	program, rest := "holder", args[1:]
	if len(rest) >= 2 && rest[0] == "-as" {
		program, rest = rest[1], rest[2:] // the same holder under another name
	}
	path, err := exec.LookPath(program)
	ts.Check(err)
	h, err := startHolderCmd("script hold "+args[0], exec.Command(path, rest...))
	ts.Check(err)
	ts.Defer(h.Stop)
	ts.Setenv(args[0], strconv.Itoa(h.Port))
	ts.Setenv(args[0]+"_PID", strconv.Itoa(h.PID()))
}

// alive PID: the process exists and is not a zombie.
func cmdAlive(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: alive PID")
	}
	pid, err := strconv.Atoi(args[0])
	ts.Check(err)
	if isAlive(pid) == neg {
		if neg {
			ts.Fatalf("pid %d is still alive", pid)
		}
		ts.Fatalf("pid %d is not alive", pid)
	}
}

// isAlive polls briefly for death, since a signalled process takes a
// moment to be reaped.
func isAlive(pid int) bool {
	for range 50 {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return false
		}
		s := string(b)
		if f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]); len(f) > 0 && f[0] == "Z" {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// listening PORT: something accepts connections on 127.0.0.1 or ::1.
func cmdListening(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: listening PORT")
	}
	ok := false
	for _, host := range []string{"127.0.0.1", "::1"} {
		c, err := net.DialTimeout("tcp", net.JoinHostPort(host, args[0]), time.Second)
		if err == nil {
			c.Close()
			ok = true
		}
	}
	if ok == neg {
		ts.Fatalf("listening on :%s is %v, want %v", args[0], ok, !neg)
	}
}

// exits CODE PROGRAM [ARGS...]: run the program and check its exit code;
// its stdout and stderr are then matched by stdout and stderr.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		got = exit.ExitCode()
	} else if err != nil {
		ts.Fatalf("running %s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// haveCondition is [have:PROGRAM]: whether PROGRAM is installed. In CI,
// where .ci/run installs what the scripts need, a missing one is an error
// rather than a skip.
func haveCondition(cond string) (bool, error) {
	program, ok := strings.CutPrefix(cond, "have:")
	if !ok {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if _, err := exec.LookPath(program); err != nil {
		if os.Getenv("CI") != "" {
			return false, fmt.Errorf("%s is not installed; .ci/run installs it", program)
		}
		return false, nil
	}
	return true, nil
}
