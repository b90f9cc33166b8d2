package spec

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// builtinFS holds the specs shipped inside the binary, one file per source named
// <name>.yaml.
//
//go:embed specs/*.yaml
var builtinFS embed.FS

// ErrUnknownSource is wrapped by Lookup when no spec has the requested name.
var ErrUnknownSource = errors.New("unknown source")

// Builtin parses the specs embedded in the binary and returns them sorted by name, each
// with File "builtin:<name>". Every built-in spec must be valid and named after its file;
// otherwise the error lists every problem.
func Builtin() ([]*Spec, error) {
	return loadDir(builtinFS, "specs", "builtin:")
}

// Catalog returns the built-in specs together with the specs in the user's files, sorted
// by name. A user file whose spec has the same name as a built-in one replaces it, so a
// team can pin or patch a built-in source without rebuilding sluice. Two user files with
// the same spec name are an error, as is any file that fails to load.
func Catalog(extraFiles []string) ([]*Spec, error) {
	builtins, err := Builtin()
	if err != nil {
		return nil, err
	}
	return merge(builtins, extraFiles)
}

// Lookup returns the spec named name from Catalog(extraFiles). When there is none, the
// error wraps ErrUnknownSource, suggests the closest name and lists the available ones.
func Lookup(name string, extraFiles []string) (*Spec, error) {
	all, err := Catalog(extraFiles)
	if err != nil {
		return nil, err
	}
	return find(name, all)
}

// find returns the spec named name among specs.
func find(name string, specs []*Spec) (*Spec, error) {
	names := make([]string, len(specs))
	for i, s := range specs {
		if s.Name == name {
			return s, nil
		}
		names[i] = s.Name
	}
	avail := "none"
	if len(names) > 0 {
		avail = strings.Join(names, ", ")
	}
	return nil, fmt.Errorf("%w %q%s; available: %s", ErrUnknownSource, name, didYouMean(name, names), avail)
}

// merge loads the user's files and lets them replace built-in specs of the same name.
func merge(builtins []*Spec, files []string) ([]*Spec, error) {
	byName := map[string]*Spec{}
	for _, s := range builtins {
		byName[s.Name] = s
	}
	userFile := map[string]string{}
	var errs []error
	for _, f := range files {
		s, err := Load(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, dup := userFile[s.Name]; dup {
			errs = append(errs, fmt.Errorf("%s: source %q is already defined in %s", f, s.Name, prev))
			continue
		}
		userFile[s.Name] = f
		byName[s.Name] = s
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return sortedSpecs(byName), nil
}

// loadDir parses every dir/*.yaml of fsys, naming each "<prefix><name>".
func loadDir(fsys fs.FS, dir, prefix string) ([]*Spec, error) {
	files, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("list built-in specs: %w", err)
	}
	byName := map[string]*Spec{}
	var errs []error
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".yaml")
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			errs = append(errs, fmt.Errorf("read built-in spec %s: %w", name, err))
			continue
		}
		s, err := Parse(data, prefix+name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if s.Name != name {
			errs = append(errs, fmt.Errorf("%s%s: name %q must match the file name %s.yaml", prefix, name, s.Name, name))
			continue
		}
		byName[name] = s
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return sortedSpecs(byName), nil
}

func sortedSpecs(byName map[string]*Spec) []*Spec {
	out := make([]*Spec, 0, len(byName))
	for _, s := range byName {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
