package infer

import "strings"

// A line that prints help, a version or a dry run does not listen, however
// much it looks like the server's command: `vite --help` beside a running
// Vite must not free its port. These are read from each tool's own
// argument grammar.

// takesValue reports whether flag is one of the tool's flags that take a
// value.
func (t *tool) takesValue(flag string) bool {
	for _, set := range []string{t.port, t.addr, t.values, t.publish, t.forward, t.inner} {
		if inSet(set, flag) {
			return true
		}
	}
	return false
}

// versionShort is the short flag, -v or -V (not only --version), with
// which the tool prints a version and exits, or "". Elsewhere -v is
// verbose (hugo, uvicorn) or takes a value (django-admin -v 2), and the
// server starts. A switch, not a map: a map literal is built at every
// start, and most runs never ask.
func versionShort(name string) string {
	switch name {
	case "parcel", "storybook", "docusaurus", "deno", "zola", "mdbook", "postgres", "postmaster", "memcached", "python", "python3":
		return "-V"
	case "next", "vite", "nuxt", "nuxi", "astro", "gatsby",
		"webpack", "webpack-dev-server", "http-server", "serve", "live-server",
		"json-server", "wrangler", "netlify", "ntl", "vercel", "ionic", "hexo",
		"docsify", "eleventy", "node", "nodejs",
		"bun", "npm", "yarn", "pnpm", "npx", "gunicorn", "jekyll", "mix",
		"rails", "redis-server", "ruby", "php":
		return "-v"
	}
	return ""
}

// helpSubcommands are subcommands that print help or a version.
var helpSubcommands = map[string]bool{"help": true, "version": true, "--help": true, "--version": true}

// notServing says why a tool's arguments print help or a version instead of
// serving, or "" when they do not. takesValue reports the tool's own flags
// that take a value (flask -h is --host, not help). Runtimes take their own
// flags only before the script: `node server.js --help` is the script's.
func notServing(name string, args []string, takesValue func(flag string) bool) string {
	runtime := name == "node" || name == "nodejs" || name == "deno" || name == "bun" || name == "python" ||
		name == "python3" || name == "ruby" || name == "php"
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return ""
		case a == "--help" || a == "-help" || a == "--version" || a == "-version":
			return name + " " + a + " prints and exits"
		case a == "-h" && !takesValue("-h"):
			return name + " -h prints its help and exits"
		case (a == "-v" || a == "-V") && versionShort(name) == a:
			return name + " " + a + " prints its version and exits"
		case name == "nginx" && (a == "-t" || a == "-T"):
			return "nginx " + a + " tests its configuration and exits"
		case name == "nginx" && a == "-s":
			return "nginx -s signals the running nginx and exits"
		case strings.HasPrefix(a, "-"):
			if takesValue(a) {
				i++
			}
		case runtime && i == 0 && (name == "deno" || name == "bun") && (a == "run" || a == "serve" || a == "task"):
			// the runtime's own subcommand: its flags follow, up to the
			// script (deno serve --help)
		case runtime:
			return ""
		case i == 0 && helpSubcommands[a]:
			return name + " " + a + " prints and exits"
		}
	}
	return ""
}

// makeDryRun says why a make command runs no recipe (-n, -q, -p, --help,
// --version), or "".
func makeDryRun(args []string) string {
	for _, a := range args {
		switch a {
		case "--":
			return ""
		case "-n", "--just-print", "--dry-run", "--recon", "-q", "--question", "-p", "--print-data-base",
			"-h", "--help", "-v", "--version":
			return "make " + a + " runs no recipe"
		}
		// A cluster of make's flags that take no value: -kn, -sn.
		if len(a) > 2 && a[0] == '-' && a[1] != '-' && strings.Trim(a[1:], "BbdeikLnpqrRsStwv") == "" &&
			strings.ContainsAny(a[1:], "nqp") {
			return "make " + a + " runs no recipe"
		}
	}
	return ""
}

// packageManagerNotServing says why a package manager's command prints help
// or a version instead of running a script, or "". npm reads its own flags
// anywhere before "--" (npm start --help prints start's help); yarn, pnpm
// and bun read theirs before the script's name and pass the rest on, where
// the script's tool reads them.
func packageManagerNotServing(pm string, args []string) string {
	for _, a := range args {
		switch {
		case a == "--":
			return ""
		case a == "--help" || a == "-h" || a == "--version" || a == "-?" || a == "--usage" || (a == "-v" && versionShort(pm) == "-v"):
			return pm + " " + a + " prints and exits"
		case pm != "npm" && !strings.HasPrefix(a, "-"):
			return ""
		}
	}
	return ""
}
