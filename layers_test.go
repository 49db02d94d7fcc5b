package aisle_test

import (
	"os/exec"
	"strings"
	"testing"
)

// module is the import path every package of Aisle starts with.
const module = "github.com/aislehq/aisle"

// layerRules are the dependencies the tree's layers forbid: what serves
// requests never needs what trains, evaluates, imports files or measures,
// and training needs nothing of evaluation but its metrics. Each rule
// names packages and the packages none of them may depend on, directly or
// not (a trailing "/..." takes a folder's packages too).
var layerRules = []struct {
	name      string
	packages  []string
	forbidden []string
}{
	{
		name: "serving",
		packages: []string{
			"./http", "./recommend", "./search", "./embedding", "./vector",
			"./apikey", "./model/saved", "./store/...", "./image/...", "./text/...",
			"./onnx", "./openai", "./internal/serve", "./profile", "./rules",
		},
		forbidden: []string{"/model/train", "/eval/...", "/importer", "/internal/bench", "/internal/synth", "/internal/loadgen"},
	},
	{
		name:      "training",
		packages:  []string{"./model/..."},
		forbidden: []string{"/eval", "/importer", "/search", "/http", "/recommend", "/internal/bench", "/internal/synth", "/internal/loadgen"},
	},
}

// TestLayers checks the rules with go list -deps, so a new import that
// pulls training or evaluation into the server fails here, naming the
// path of imports that brought it in.
func TestLayers(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	for _, rule := range layerRules {
		t.Run(rule.name, func(t *testing.T) {
			deps := goList(t, append([]string{"-deps"}, rule.packages...)...)
			for _, dep := range deps {
				for _, f := range rule.forbidden {
					if matches(dep, module+f) {
						t.Errorf("%s depends on %s", rule.name, why(t, rule.packages, dep))
					}
				}
			}
		})
	}
}

// matches reports whether the import path pkg matches pattern: equal, or
// with pattern "dir/...", dir or a package below it.
func matches(pkg, pattern string) bool {
	if dir, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == dir || strings.HasPrefix(pkg, dir+"/")
	}
	return pkg == pattern
}

// goList runs go list with args and returns its lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return strings.Fields(string(out))
}

// why returns the chain of imports from one of the packages to dep, for
// the error message.
func why(t *testing.T, packages []string, dep string) string {
	imports := map[string][]string{}
	for _, line := range goList(t, append([]string{"-deps", "-f", `{{.ImportPath}}:{{join .Imports ","}}`}, packages...)...) {
		p, list, _ := strings.Cut(line, ":")
		if list != "" {
			imports[p] = strings.Split(list, ",")
		}
	}
	roots := goList(t, packages...)
	prev := map[string]string{}
	for _, r := range roots {
		prev[r] = ""
	}
	for queue := roots; len(queue) > 0; queue = queue[1:] {
		p := queue[0]
		if p == dep {
			chain := []string{p}
			for q := prev[p]; q != ""; q = prev[q] {
				chain = append([]string{q}, chain...)
			}
			return strings.Join(chain, " → ")
		}
		for _, q := range imports[p] {
			if _, seen := prev[q]; !seen {
				prev[q] = p
				queue = append(queue, q)
			}
		}
	}
	return dep
}
