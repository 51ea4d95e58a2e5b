package model

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"testing"
)

// loadFiles reads the model files below dir, naming them prefix plus their
// path relative to dir.
func loadFiles(t testing.TB, dir, prefix string) []File {
	t.Helper()
	var files []File
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !IsModelFile(filepath.ToSlash(p)) {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		files = append(files, File{Path: path.Join(prefix, filepath.ToSlash(rel)), Src: src})
		return nil
	})
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files
}

// authModule is a small stand-in for serverpod_auth, nicknamed auth.
func authModule(t testing.TB) ModuleModels {
	t.Helper()
	files := loadFiles(t, filepath.Join("testdata", "module"), "")
	models, diags := AnalyzeModule(files, "auth", "serverpod_auth", Options{})
	for _, d := range diags {
		t.Errorf("module diagnostic: %s", d)
	}
	return ModuleModels{Nickname: "auth", Name: "serverpod_auth", Models: models}
}

func testOptions(t testing.TB) Options {
	return Options{
		Database:     true,
		Modules:      []ModuleModels{authModule(t)},
		ExtraClasses: []string{"package:my_shared/money.dart:Money", "package:my_shared/money.dart:Coupon"},
		GoTypes:      map[string]string{"Money": "example.com/shared.Money"},
	}
}

func modelByName(models []*Model, name string) *Model {
	for _, m := range models {
		if m.ClassName == name {
			return m
		}
	}
	return nil
}
