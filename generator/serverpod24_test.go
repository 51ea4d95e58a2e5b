package generator

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The serverpod24 golden case ports the endpoints of Serverpod 2.4's test
// server to Go. testdata/serverpod24_client_members.txt lists the members
// of 2.4's generated serverpod_test_client client.dart for those
// endpoints, normalized by clientMembers; the Dart client gopod generates
// for the port must have the same members.

var extract24 = flag.String("extract24", "", "rewrite testdata/serverpod24_client_members.txt from 2.4's serverpod_test_client client.dart at this path")

const membersFile = "testdata/serverpod24_client_members.txt"

// portedEndpoints are the endpoint classes of 2.4's test client that the
// port covers.
var portedEndpoints = []string{
	"EndpointSimple", "EndpointBasicTypes", "EndpointListParameters", "EndpointMapParameters",
	"EndpointSetParameters", "EndpointOptionalParameters", "EndpointNamedParameters",
	"EndpointRecordParameters", "EndpointMethodSignaturePermutations", "EndpointExceptionTest",
	"EndpointFieldScopes", "EndpointSignInRequired", "EndpointAdminScopeRequired",
	"EndpointSubDirTest", "EndpointSubSubDirTest",
	"EndpointMethodStreaming", "EndpointAuthenticatedMethodStreaming", "EndpointStreaming",
}

// notPorted are the members the port leaves out: a stream of dynamic
// (gopod has no dynamic type) and one of the auth module's UserInfo (the
// port uses no modules).
var notPorted = regexp.MustCompile(`^Stream<dynamic> dynamicEchoStream\(|^Stream<List<UserInfo>> simpleListInOutOtherModuleTypeStream\(`)

func TestServerpod24ClientMembers(t *testing.T) {
	if *extract24 != "" {
		src, err := os.ReadFile(*extract24)
		if err != nil {
			t.Fatal(err)
		}
		got := clientMembers(string(src), portedEndpoints)
		if err := os.WriteFile(membersFile, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if testing.Short() {
		t.Skip("type-checks a project")
	}
	dir := filepath.Join(t.TempDir(), "serverpod24")
	for _, d := range []string{"config", "models", "endpoints"} {
		copyTree(t, filepath.Join("testdata", "golden", "serverpod24", d), filepath.Join(dir, d))
	}
	newGoModule(t, dir, "serverpod24")
	if _, err := Generate(context.Background(), Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(dir, "serverpod24_client", "lib", "src", "protocol", "client.dart"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(membersFile)
	if err != nil {
		t.Fatal(err)
	}
	got := clientMembers(string(src), portedEndpoints)
	wantLines, gotLines := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n"), strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	matched := 0
	for _, w := range wantLines {
		if slices.Contains(gotLines, w) {
			matched++
			continue
		}
		t.Errorf("2.4's member is missing or differs:\n  %s", w)
	}
	for _, g := range gotLines {
		if !slices.Contains(wantLines, g) {
			t.Errorf("member that 2.4 does not have:\n  %s", g)
		}
	}
	t.Logf("%d of %d members of 2.4's test client match", matched, len(wantLines))
}

var (
	importPrefix = regexp.MustCompile(`\b_i\d+\.`)
	spaces       = regexp.MustCompile(`\s+`)
	afterOpen    = regexp.MustCompile(`([(\[{<.]) `)
	beforeClose  = regexp.MustCompile(` ([)\]}>,.])`)
	trailComma   = regexp.MustCompile(`,([)\]}])`)
	classStart   = regexp.MustCompile(`(?m)^class (\w+) extends \w+(\.\w+)? \{$`)
)

// normalize writes a member without import prefixes and formatting: one
// line, no spaces next to brackets, no trailing commas.
func normalize(s string) string {
	s = importPrefix.ReplaceAllString(s, "")
	s = strings.TrimSpace(spaces.ReplaceAllString(s, " "))
	for {
		n := trailComma.ReplaceAllString(beforeClose.ReplaceAllString(afterOpen.ReplaceAllString(s, "$1"), "$1"), "$1")
		if n == s {
			return s
		}
		s = n
	}
}

// clientMembers lists the members of the named endpoint classes of a
// client.dart, one line each as "Class: member", with the class's doc
// comment and every method's doc comment and annotations folded into its
// line. The members the port leaves out (notPorted) are left out.
func clientMembers(src string, classes []string) string {
	var out []string
	locs := classStart.FindAllStringSubmatchIndex(src, -1)
	for i, loc := range locs {
		name := src[loc[2]:loc[3]]
		if !slices.Contains(classes, name) {
			continue
		}
		end := len(src)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		// The class's doc comment is the /// block right above it.
		var doc []string
		lines := strings.Split(src[:loc[0]], "\n")
		for j := len(lines) - 2; j >= 0 && strings.HasPrefix(lines[j], "///"); j-- {
			doc = append([]string{strings.TrimSpace(lines[j])}, doc...)
		}
		out = append(out, fmt.Sprintf("%s: class %s", name, normalize(strings.Join(doc, " "))))
		body := src[loc[1]:end]
		body = body[:strings.LastIndex(body, "\n}")]
		for _, member := range strings.Split(body, "\n\n") {
			m := normalize(member)
			if m == "" || notPorted.MatchString(m) {
				continue
			}
			out = append(out, name+": "+m)
		}
	}
	return strings.Join(out, "\n") + "\n"
}
