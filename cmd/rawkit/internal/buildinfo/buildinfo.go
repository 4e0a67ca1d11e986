// Package buildinfo says which build of rawkit is running, for `rawkit
// version` and the -V of the commands that have one in iputils and
// traceroute: the version of the nearest tag when it was built from a
// tagged checkout, otherwise the commit and whether the tree was
// modified, and the Go toolchain and platform.
package buildinfo

import (
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is set at link time by release builds and scripts/package.sh:
//
//	go build -ldflags "-X github.com/rawkit/rawkit/cmd/rawkit/internal/buildinfo.version=1.2.0"
//
// Otherwise the version comes from the build information, which go build
// stamps from the checkout (go help buildvcs) and go install from the
// module version.
var version string

// Line returns the version line of the program named name ("rawkit",
// "rawkit ping"), as `rawkit version` prints it.
func Line(name string) string {
	bi, _ := debug.ReadBuildInfo()
	return Format(name, version, bi, runtime.GOOS+"/"+runtime.GOARCH)
}

// Version returns the version Line prints ("1.2.0", "devel"), for what
// labels a build, such as the exporter's rawkit_exporter_build_info.
func Version() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(version, bi)
}

// versionOf returns the version of a build as bi says (nil: no build
// information); linked, if not empty, wins over bi's.
func versionOf(linked string, bi *debug.BuildInfo) string {
	// A pseudo-version's date and commit (v0.0.0-20261207200353-44a6838c1234):
	// go build stamps one when the commit has no tag, or the tree was
	// modified after it. Compiled here: ping's start does not pay for it.
	pseudo := regexp.MustCompile(`-(0\.)?\d{14}-[0-9a-f]{12}`)
	v := linked
	if v == "" && bi != nil && bi.Main.Version != "(devel)" && !pseudo.MatchString(bi.Main.Version) {
		v = strings.TrimSuffix(bi.Main.Version, "+dirty")
	}
	if v == "" {
		v = "devel"
	}
	return v
}

// Format returns the version line of name built as bi says (nil: no build
// information) on platform ("linux/amd64"); linked, if not empty, is the
// version given at link time and wins over bi's.
func Format(name, linked string, bi *debug.BuildInfo, platform string) string {
	v, goVersion := versionOf(linked, bi), runtime.Version()
	var details []string
	if bi != nil {
		goVersion = bi.GoVersion
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision":
				details = append(details, "commit "+s.Value[:min(12, len(s.Value))])
			case s.Key == "vcs.modified" && s.Value == "true":
				details = append(details, "modified")
			}
		}
	}
	details = append(details, goVersion+" "+platform)
	return name + " " + v + " (" + strings.Join(details, ", ") + ")"
}
