package infer

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// composeFiles are the names `docker compose` looks for, in its order; the
// override file is merged over the first one found.
var composeFiles = []string{"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"}

var composeOverrides = []string{"compose.override.yaml", "compose.override.yml", "docker-compose.override.yaml", "docker-compose.override.yml"}

// composeValued are the flags of `docker compose` and of `up` that take a
// value, so that a value is not read as a service name.
const composeValued = "-f --file -p --project-name --project-directory --env-file --profile --ansi --progress " +
	"--scale -t --timeout --pull --exit-code-from --attach --no-attach --wait-timeout"

// compose infers the ports `docker compose up [SERVICE…]` (also start,
// and docker-compose / podman-compose) publishes on the host: the host
// side of each service's "ports", short syntax ("127.0.0.1:5432:5432",
// "3000-3001:3000-3001") or long (published:), with ${VAR:-default}
// interpolated from the environment and the project's .env, as compose
// does. Container ports without a host port are ephemeral and unknown.
func (w *walker) compose(s scope, args []string) {
	dir := s.dir
	var files, services []string
	sub := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		if v, ok := flagValue(args, &i, "-f --file"); ok {
			files = append(files, v)
			continue
		}
		if v, ok := flagValue(args, &i, "--project-directory"); ok {
			dir = join(s.dir, v)
			continue
		}
		switch {
		case strings.HasPrefix(a, "-"):
			if !strings.Contains(a, "=") && inSet(composeValued, a) {
				i++
			}
		case sub == "":
			sub = a
		default:
			services = append(services, a)
		}
	}
	if sub != "up" && sub != "start" {
		return
	}
	if len(files) == 0 {
		for _, name := range composeFiles {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				files = append(files, name)
				break
			}
		}
		for _, name := range composeOverrides {
			if len(files) > 0 {
				if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
					files = append(files, name)
					break
				}
			}
		}
	}
	vars := maps.Clone(s.env)
	if dotenv, ok := w.dotenv(filepath.Join(dir, ".env")); ok {
		for k, v := range dotenv {
			if _, set := vars[k]; !set {
				vars[k] = v // the environment wins over .env, as in compose
			}
		}
	}
	for _, f := range files {
		path := join(dir, f)
		b, ok := w.read(path)
		if !ok {
			continue
		}
		var doc struct {
			Services map[string]struct {
				Ports []any `yaml:"ports"`
			} `yaml:"services"`
		}
		if err := decodeYAML(b, &doc); err != nil {
			if errors.Is(err, errYAMLTooBig) {
				w.note("skipped %s: %v", w.rel(path), err)
			}
			continue
		}
		names := make([]string, 0, len(doc.Services))
		for name := range doc.Services {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			if len(services) > 0 && !slices.Contains(services, name) {
				continue
			}
			source := fmt.Sprintf("ports of service %q in %s", name, w.rel(path))
			for _, p := range doc.Services[name].Ports {
				for _, port := range composePorts(p, vars) {
					w.add(s, port, source)
				}
			}
		}
	}
}

// composePorts reads one entry of a service's ports.
func composePorts(entry any, vars map[string]string) []int {
	switch e := entry.(type) {
	case string:
		return parsePublish(interpolate(e, vars))
	case uint64, int64, int, float64:
		return nil // a container port alone: the host port is ephemeral
	case map[string]any:
		if proto, _ := e["protocol"].(string); proto != "" && proto != "tcp" {
			return nil
		}
		switch v := e["published"].(type) {
		case nil:
		case string:
			return parsePublish(interpolate(v, vars) + ":0")
		default:
			if p, ok := parsePort(fmt.Sprint(v)); ok {
				return []int{p}
			}
		}
	}
	return nil
}

var composeVar = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)|\$\$`)
})

// interpolate expands ${VAR}, ${VAR:-default}, ${VAR-default}, $VAR and
// $$ as compose does.
func interpolate(s string, vars map[string]string) string {
	return composeVar().ReplaceAllStringFunc(s, func(ref string) string {
		if ref == "$$" {
			return "$"
		}
		m := composeVar().FindStringSubmatch(ref)
		name := m[1] + m[4]
		v, set := vars[name]
		switch m[2] {
		case ":-":
			if v == "" {
				return m[3]
			}
		case "-":
			if !set {
				return m[3]
			}
		}
		return v
	})
}

// maxYAMLNodes bounds a YAML document's size once its aliases are
// expanded: a compose file whose anchors nest ("billion laughs") would
// otherwise grow until memory runs out while it is decoded.
const maxYAMLNodes = 100_000

// errYAMLTooBig is a constant's text (fmt at package initialisation would
// cost every start); TestErrYAMLTooBigNamesItsLimits keeps its numbers.
var errYAMLTooBig = errors.New("nested more than 200 levels, or more than 100000 values once its aliases are expanded")

// decodeYAML decodes b into v after checking its nesting and its size
// with aliases expanded.
func decodeYAML(b []byte, v any) error {
	if tooDeep(string(b)) {
		return errYAMLTooBig
	}
	file, err := parser.ParseBytes(b, 0)
	if err != nil {
		return err
	}
	for _, doc := range file.Docs {
		if doc.Body == nil {
			continue
		}
		if yamlSize(doc.Body, map[string]int{}) > maxYAMLNodes {
			return errYAMLTooBig
		}
		return yaml.NodeToValue(doc.Body, v)
	}
	return nil
}

// yamlSize counts the nodes of n as decoding will see them: an alias
// counts as the whole of its anchor's value. Anchors precede their
// aliases, so one walk in document order knows every size it needs.
func yamlSize(n ast.Node, anchors map[string]int) int {
	switch n := n.(type) {
	case nil:
		return 0
	case *ast.AliasNode:
		if n.Value == nil {
			return 1
		}
		return 1 + anchors[n.Value.String()]
	case *ast.AnchorNode:
		size := 1 + yamlSize(n.Value, anchors)
		if n.Name != nil {
			anchors[n.Name.String()] = size
		}
		return size
	}
	size := 1
	for _, child := range yamlChildren(n) {
		if size += yamlSize(child, anchors); size > maxYAMLNodes {
			return size
		}
	}
	return size
}

// yamlChildren are n's direct children, as ast.Walk visits them.
func yamlChildren(n ast.Node) []ast.Node {
	c := &childCollector{}
	ast.Walk(c, n)
	return c.children
}

type childCollector struct {
	started  bool
	children []ast.Node
}

func (c *childCollector) Visit(n ast.Node) ast.Visitor {
	if !c.started {
		c.started = true
		return c
	}
	c.children = append(c.children, n)
	return nil
}
