package model

import (
	"path"
	"strings"
)

// spyExtensions mark model files anywhere in a project, longest first so
// that stripping finds the full extension.
var spyExtensions = []string{".spy.yaml", ".spy.yml", ".spy"}

// plainYAMLExtensions also mark model files, but only inside the legacy
// model directories.
var plainYAMLExtensions = []string{".yaml", ".yml"}

// legacyModelDirs are the directories in which Serverpod treats every YAML
// file as a model file.
var legacyModelDirs = []string{"lib/src/models", "lib/src/protocol"}

// modelRoots are the directories output paths are made relative to, in the
// order Serverpod tries them; gopod projects keep their models in models/.
var modelRoots = []string{"lib/src/protocol", "lib/src/models", "lib/src", "lib", "models"}

// IsModelFile reports whether the slash-separated path names a model file:
// a *.spy, *.spy.yaml or *.spy.yml file anywhere, or a plain YAML file below
// lib/src/models or lib/src/protocol (Serverpod's older convention).
func IsModelFile(p string) bool {
	for _, ext := range spyExtensions {
		if strings.HasSuffix(p, ext) {
			return true
		}
	}
	for _, ext := range plainYAMLExtensions {
		if !strings.HasSuffix(p, ext) {
			continue
		}
		dirs := segments(path.Dir(p))
		for _, root := range legacyModelDirs {
			if indexOfSegments(dirs, segments(root)) >= 0 {
				return true
			}
		}
	}
	return false
}

// ModelFileName is the base name of a model file without its model file
// extension: "models/user.spy.yaml" gives "user". Generated files take this
// name.
func ModelFileName(p string) string {
	name := path.Base(p)
	for _, ext := range append(append([]string(nil), spyExtensions...), plainYAMLExtensions...) {
		if strings.HasSuffix(name, ext) && len(name) > len(ext) {
			return strings.TrimSuffix(name, ext)
		}
	}
	return name
}

// ModelSubDir is the directory of a model file relative to the first of
// lib/src/protocol, lib/src/models, lib/src, lib and models found in its
// path, or the file's directory when there is none. Generated files keep
// this sub directory: "lib/src/shop/models/order.spy.yaml" gives
// "shop/models".
func ModelSubDir(p string) string {
	dirs := segments(path.Dir(p))
	for _, root := range modelRoots {
		rootSegs := segments(root)
		if i := indexOfSegments(dirs, rootSegs); i >= 0 {
			return strings.Join(dirs[i+len(rootSegs):], "/")
		}
	}
	return strings.Join(dirs, "/")
}

// segments splits a slash-separated directory into its non-empty parts.
func segments(dir string) []string {
	var out []string
	for _, s := range strings.Split(dir, "/") {
		if s != "" && s != "." {
			out = append(out, s)
		}
	}
	return out
}

// indexOfSegments returns where needle starts in haystack, or -1.
func indexOfSegments(haystack, needle []string) int {
	for i := 0; i+len(needle) <= len(haystack); i++ {
		match := true
		for j := range needle {
			if haystack[i+j] != needle[j] {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}
