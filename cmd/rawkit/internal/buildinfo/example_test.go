package buildinfo_test

import (
	"fmt"
	"runtime/debug"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/buildinfo"
)

func ExampleFormat() {
	vcs := []debug.BuildSetting{{Key: "vcs.revision", Value: "44a6838c1234ab56cd78ef90"}, {Key: "vcs.modified", Value: "false"}}
	modified := []debug.BuildSetting{{Key: "vcs.revision", Value: "44a6838c1234ab56cd78ef90"}, {Key: "vcs.modified", Value: "true"}}
	builds := []struct {
		linked string
		bi     *debug.BuildInfo
	}{
		// go build in a checkout whose commit is tagged v1.2.0
		{"", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}, Settings: vcs}},
		// go build in a checkout past the tag, or with no tag
		{"", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261207200353-44a6838c1234"}, Settings: vcs}},
		{"", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.1-0.20261207200353-44a6838c1234+dirty"}, Settings: modified}},
		// a tagged checkout, modified
		{"", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0+dirty"}, Settings: modified}},
		// go install github.com/rawkit/rawkit/cmd/rawkit@v1.2.0: no VCS
		{"", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}}},
		// go build -buildvcs=false
		{"", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}},
		// scripts/package.sh: the version given at link time
		{"1.2.0", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}, Settings: vcs}},
	}
	for _, b := range builds {
		fmt.Println(buildinfo.Format("rawkit", b.linked, b.bi, "linux/amd64"))
	}
	// Output:
	// rawkit v1.2.0 (commit 44a6838c1234, go1.26.8 linux/amd64)
	// rawkit devel (commit 44a6838c1234, go1.26.8 linux/amd64)
	// rawkit devel (commit 44a6838c1234, modified, go1.26.8 linux/amd64)
	// rawkit v1.2.0 (commit 44a6838c1234, modified, go1.26.8 linux/amd64)
	// rawkit v1.2.0 (go1.26.8 linux/amd64)
	// rawkit devel (go1.26.8 linux/amd64)
	// rawkit 1.2.0 (commit 44a6838c1234, go1.26.8 linux/amd64)
}
