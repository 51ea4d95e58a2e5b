package e2e

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/gopod/gopod/runtime/db"

	"orm/generated/protocol"
)

// world is a small data set with every kind of relation.
type world struct {
	cities    map[string]protocol.City
	companies map[string]protocol.Company
	employees map[string]protocol.Employee
	badges    map[string]protocol.Badge
	offices   map[string]protocol.Office
	students  map[string]protocol.Student
	courses   map[string]protocol.Course
	cats      map[string]protocol.Cat
	posts     map[string]protocol.Post
}

// seedWorld stores:
//
//	cities     Paris, Oslo
//	companies  Acme (hq Paris) with ann, bob, cid; Globex (no hq) with dan,
//	           eve; Initech (hq Oslo) with nobody
//	badges     B1 of ann, B2 of dan, B3 of nobody
//	offices    Main St (Acme, Paris, 10 desks), Side St (Acme, 3 desks),
//	           High St (Globex, 7 desks), Nowhere (no company, 1 desk)
//	students   sue (Math, Art), tim (Math), uma (none); courses Math, Art, Bio
//	cats       Tom, his kittens Kit1 and Kit2, Kit1's kitten Grand; Stray
//	posts      p1 → p2 → p3 (each next of the one before)
func seedWorld(t *testing.T) *world {
	t.Helper()
	reset(t, "city", "company", "employee", "badge", "office", "student", "course", "enrollment", "cat", "post")
	c := conn(t)
	w := &world{
		cities: map[string]protocol.City{}, companies: map[string]protocol.Company{}, employees: map[string]protocol.Employee{},
		badges: map[string]protocol.Badge{}, offices: map[string]protocol.Office{}, students: map[string]protocol.Student{},
		courses: map[string]protocol.Course{}, cats: map[string]protocol.Cat{}, posts: map[string]protocol.Post{},
	}
	for _, n := range []string{"Paris", "Oslo"} {
		w.cities[n] = insert(t, protocol.CityDB, protocol.City{Name: n})
	}
	w.companies["Acme"] = insert(t, protocol.CompanyDB, protocol.Company{Name: "Acme", HqID: w.cities["Paris"].ID})
	w.companies["Globex"] = insert(t, protocol.CompanyDB, protocol.Company{Name: "Globex"})
	w.companies["Initech"] = insert(t, protocol.CompanyDB, protocol.Company{Name: "Initech", HqID: w.cities["Oslo"].ID})
	for _, e := range []struct{ name, company string }{{"ann", "Acme"}, {"bob", "Acme"}, {"cid", "Acme"}, {"dan", "Globex"}, {"eve", "Globex"}} {
		w.employees[e.name] = insert(t, protocol.EmployeeDB, protocol.Employee{Name: e.name, CompanyID: *w.companies[e.company].ID})
	}
	w.badges["B1"] = insert(t, protocol.BadgeDB, protocol.Badge{Code: "B1", OwnerID: w.employees["ann"].ID})
	w.badges["B2"] = insert(t, protocol.BadgeDB, protocol.Badge{Code: "B2", OwnerID: w.employees["dan"].ID})
	w.badges["B3"] = insert(t, protocol.BadgeDB, protocol.Badge{Code: "B3"})
	w.offices["Main St"] = insert(t, protocol.OfficeDB, protocol.Office{Street: "Main St", Desks: 10, CityID: w.cities["Paris"].ID})
	w.offices["Side St"] = insert(t, protocol.OfficeDB, protocol.Office{Street: "Side St", Desks: 3})
	w.offices["High St"] = insert(t, protocol.OfficeDB, protocol.Office{Street: "High St", Desks: 7})
	w.offices["Nowhere"] = insert(t, protocol.OfficeDB, protocol.Office{Street: "Nowhere", Desks: 1})
	if err := db.Attach(c, protocol.CompanyLinks.Offices, w.companies["Acme"], w.offices["Main St"], w.offices["Side St"]); err != nil {
		t.Fatal(err)
	}
	if err := db.Attach(c, protocol.CompanyLinks.Offices, w.companies["Globex"], w.offices["High St"]); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"sue", "tim", "uma"} {
		w.students[n] = insert(t, protocol.StudentDB, protocol.Student{Name: n})
	}
	for _, n := range []string{"Math", "Art", "Bio"} {
		w.courses[n] = insert(t, protocol.CourseDB, protocol.Course{Title: n})
	}
	for _, e := range [][2]string{{"sue", "Math"}, {"sue", "Art"}, {"tim", "Math"}} {
		insert(t, protocol.EnrollmentDB, protocol.Enrollment{StudentID: *w.students[e[0]].ID, CourseID: *w.courses[e[1]].ID})
	}
	w.cats["Tom"] = insert(t, protocol.CatDB, protocol.Cat{Name: "Tom"})
	w.cats["Kit1"] = insert(t, protocol.CatDB, protocol.Cat{Name: "Kit1", MotherID: w.cats["Tom"].ID})
	w.cats["Kit2"] = insert(t, protocol.CatDB, protocol.Cat{Name: "Kit2", MotherID: w.cats["Tom"].ID})
	w.cats["Grand"] = insert(t, protocol.CatDB, protocol.Cat{Name: "Grand", MotherID: w.cats["Kit1"].ID})
	w.cats["Stray"] = insert(t, protocol.CatDB, protocol.Cat{Name: "Stray"})
	w.posts["p3"] = insert(t, protocol.PostDB, protocol.Post{Body: "p3"})
	w.posts["p2"] = insert(t, protocol.PostDB, protocol.Post{Body: "p2", NextID: w.posts["p3"].ID})
	w.posts["p1"] = insert(t, protocol.PostDB, protocol.Post{Body: "p1", NextID: w.posts["p2"].ID})
	return w
}

func employeeNames(es []protocol.Employee) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.Name)
	}
	return out
}

func TestIncludeOneToMany(t *testing.T) {
	seedWorld(t)
	c := conn(t)
	companies, err := db.Find(c, protocol.CompanyDB,
		db.OrderBy(protocol.CompanyT.Name.Asc()),
		db.Include(protocol.CompanyInclude{
			Employees: &protocol.EmployeeIncludeList{OrderBy: []db.Order{protocol.EmployeeT.Name.Desc()}},
			Hq:        &protocol.CityInclude{},
		}))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name      string
		employees []string
		hq        string
	}{
		{"Acme", []string{"cid", "bob", "ann"}, "Paris"},
		{"Globex", []string{"eve", "dan"}, ""},
		{"Initech", []string{}, "Oslo"},
	}
	if len(companies) != len(want) {
		t.Fatalf("%d companies, want %d", len(companies), len(want))
	}
	for i, w := range want {
		got := companies[i]
		if got.Name != w.name || !slices.Equal(employeeNames(got.Employees), w.employees) || got.Employees == nil {
			t.Errorf("company %d = %s with %q, want %s with %q", i, got.Name, employeeNames(got.Employees), w.name, w.employees)
		}
		hq := ""
		if got.Hq != nil {
			hq = got.Hq.Name
		}
		if hq != w.hq {
			t.Errorf("%s hq = %q, want %q", got.Name, hq, w.hq)
		}
	}

	// A list include filters, orders and pages each parent's rows.
	companies, err = db.Find(c, protocol.CompanyDB,
		db.OrderBy(protocol.CompanyT.Name.Asc()),
		db.Include(protocol.CompanyInclude{Employees: &protocol.EmployeeIncludeList{
			Where:   protocol.EmployeeT.Name.NotEquals("bob"),
			OrderBy: []db.Order{protocol.EmployeeT.Name.Asc()},
			Limit:   1,
			Offset:  1,
		}}))
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range [][]string{{"cid"}, {"eve"}, {}} {
		if g := employeeNames(companies[i].Employees); !slices.Equal(g, w) {
			t.Errorf("%s: paged employees %q, want %q", companies[i].Name, g, w)
		}
	}

	// The other way, nested: employee → company → hq.
	employees, err := db.Find(c, protocol.EmployeeDB,
		db.OrderBy(protocol.EmployeeT.Name.Asc()),
		db.Include(protocol.EmployeeInclude{Company: &protocol.CompanyInclude{Hq: &protocol.CityInclude{}}}))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range employees {
		if e.Company == nil || *e.Company.ID != e.CompanyID {
			t.Fatalf("%s: company %+v, want the one with id %d", e.Name, e.Company, e.CompanyID)
		}
	}
	if employees[0].Company.Name != "Acme" || employees[0].Company.Hq == nil || employees[0].Company.Hq.Name != "Paris" {
		t.Errorf("ann's company = %+v", employees[0].Company)
	}
	if employees[3].Company.Name != "Globex" || employees[3].Company.Hq != nil {
		t.Errorf("dan's company = %+v", employees[3].Company)
	}
	// Rows sharing a parent get their own copies of it.
	employees[0].Company.Name = "changed"
	if employees[1].Company.Name != "Acme" {
		t.Error("two employees share one company value")
	}

	one, err := db.FindByID(c, protocol.CompanyDB, 1, db.Include(protocol.CompanyInclude{Employees: &protocol.EmployeeIncludeList{}}))
	if err != nil || one == nil || len(one.Employees) != 3 {
		t.Errorf("FindByID with include = %+v, %v", one, err)
	}
}

func TestImplicitListRelation(t *testing.T) {
	w := seedWorld(t)
	c := conn(t)
	find := func() []protocol.Company {
		t.Helper()
		got, err := db.Find(c, protocol.CompanyDB, db.OrderBy(protocol.CompanyT.Name.Asc()), db.Include(protocol.CompanyInclude{
			Offices: &protocol.OfficeIncludeList{
				OrderBy: []db.Order{protocol.OfficeT.Street.Asc()},
				Include: &protocol.OfficeInclude{City: &protocol.CityInclude{}},
			},
		}))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	streets := func(os []protocol.Office) []string {
		out := []string{}
		for _, o := range os {
			out = append(out, o.Street)
		}
		return out
	}
	got := find()
	for i, want := range [][]string{{"Main St", "Side St"}, {"High St"}, {}} {
		if s := streets(got[i].Offices); !slices.Equal(s, want) {
			t.Errorf("%s offices = %q, want %q", got[i].Name, s, want)
		}
	}
	if got[0].Offices[0].City == nil || got[0].Offices[0].City.Name != "Paris" || got[0].Offices[1].City != nil {
		t.Errorf("office cities = %+v", got[0].Offices)
	}

	// The hidden foreign key is in the table, and survives an update of
	// a row read back: user code never sees it, the ORM keeps it.
	var hidden *int64
	q := `SELECT "_companyOfficesCompanyId" FROM office WHERE id = $1`
	if err := database.QueryRow(context.Background(), q, *w.offices["Main St"].ID).Scan(&hidden); err != nil || hidden == nil || *hidden != *w.companies["Acme"].ID {
		t.Fatalf("hidden key = %v, %v", hidden, err)
	}
	office, err := db.FindByID(c, protocol.OfficeDB, *w.offices["Main St"].ID)
	if err != nil {
		t.Fatal(err)
	}
	office.Desks = 11
	if _, err := db.UpdateRow(c, protocol.OfficeDB, *office); err != nil {
		t.Fatal(err)
	}
	if s := streets(find()[0].Offices); !slices.Equal(s, []string{"Main St", "Side St"}) {
		t.Errorf("after an update, Acme's offices = %q", s)
	}

	if err := db.Detach(c, protocol.CompanyLinks.Offices, w.offices["Side St"]); err != nil {
		t.Fatal(err)
	}
	if err := db.Attach(c, protocol.CompanyLinks.Offices, w.companies["Initech"], w.offices["Nowhere"]); err != nil {
		t.Fatal(err)
	}
	got = find()
	for i, want := range [][]string{{"Main St"}, {"High St"}, {"Nowhere"}} {
		if s := streets(got[i].Offices); !slices.Equal(s, want) {
			t.Errorf("after detach and attach, %s offices = %q, want %q", got[i].Name, s, want)
		}
	}
	if n, _ := db.Count(c, protocol.OfficeDB); n != 4 {
		t.Errorf("detaching deleted an office: %d left", n)
	}

	// Attaching is atomic: a missing row fails it all.
	gone := w.offices["Side St"]
	gone.ID = ptr(int64(1 << 40))
	err = db.Attach(c, protocol.CompanyLinks.Offices, w.companies["Globex"], w.offices["Main St"], gone)
	if !errors.Is(err, db.ErrNotFound) {
		t.Errorf("attaching a missing office: %v, want ErrNotFound", err)
	}
	if s := streets(find()[0].Offices); !slices.Equal(s, []string{"Main St"}) {
		t.Errorf("a failed attach moved an office: Acme has %q", s)
	}
	if err := db.Attach(c, protocol.CompanyLinks.Offices, w.companies["Acme"], protocol.Office{Street: "unsaved"}); err == nil {
		t.Error("attaching an office without an id succeeded")
	}
}

func TestOneToOne(t *testing.T) {
	w := seedWorld(t)
	c := conn(t)
	employees, err := db.Find(c, protocol.EmployeeDB, db.OrderBy(protocol.EmployeeT.Name.Asc()), db.Include(protocol.EmployeeInclude{Badge: &protocol.BadgeInclude{}}))
	if err != nil {
		t.Fatal(err)
	}
	if b := employees[0].Badge; b == nil || b.Code != "B1" {
		t.Errorf("ann's badge = %+v", b)
	}
	if b := employees[1].Badge; b != nil {
		t.Errorf("bob's badge = %+v, want none", b)
	}

	badges, err := db.Find(c, protocol.BadgeDB, db.OrderBy(protocol.BadgeT.Code.Asc()), db.Include(protocol.BadgeInclude{Owner: &protocol.EmployeeInclude{Company: &protocol.CompanyInclude{}}}))
	if err != nil {
		t.Fatal(err)
	}
	if o := badges[0].Owner; o == nil || o.Name != "ann" || o.Company == nil || o.Company.Name != "Acme" {
		t.Errorf("B1's owner = %+v", o)
	}
	if badges[2].Owner != nil {
		t.Errorf("B3's owner = %+v, want none", badges[2].Owner)
	}

	// From the side without the key, and from the side with it.
	if err := db.AttachRow(c, protocol.EmployeeLinks.Badge, w.employees["bob"], w.badges["B3"]); err != nil {
		t.Fatal(err)
	}
	bob, err := db.FindFirstRow(c, protocol.EmployeeDB, db.Where(protocol.EmployeeT.Name.Equals("bob")), db.Include(protocol.EmployeeInclude{Badge: &protocol.BadgeInclude{}}))
	if err != nil || bob.Badge == nil || bob.Badge.Code != "B3" {
		t.Fatalf("bob after attach = %+v, %v", bob, err)
	}
	if err := db.DetachRow(c, protocol.EmployeeLinks.Badge, w.employees["bob"]); err != nil {
		t.Fatal(err)
	}
	b3, _ := db.FindByID(c, protocol.BadgeDB, *w.badges["B3"].ID)
	if b3.OwnerID != nil {
		t.Errorf("B3 still owned by %d after detach", *b3.OwnerID)
	}
	if err := db.AttachRow(c, protocol.BadgeLinks.Owner, w.badges["B3"], w.employees["cid"]); err != nil {
		t.Fatal(err)
	}
	if b3, _ = db.FindByID(c, protocol.BadgeDB, *w.badges["B3"].ID); b3.OwnerID == nil || *b3.OwnerID != *w.employees["cid"].ID {
		t.Errorf("B3's owner after AttachRowOwner = %v", b3.OwnerID)
	}
	if err := db.DetachRow(c, protocol.BadgeLinks.Owner, w.badges["B3"]); err != nil {
		t.Fatal(err)
	}
	if b3, _ = db.FindByID(c, protocol.BadgeDB, *w.badges["B3"].ID); b3.OwnerID != nil {
		t.Errorf("B3's owner after DetachRowOwner = %v", b3.OwnerID)
	}

	// The unique index keeps it one to one.
	err = db.AttachRow(c, protocol.BadgeLinks.Owner, w.badges["B2"], w.employees["ann"])
	var dbErr *db.Error
	if !errors.Is(err, db.ErrUniqueViolation) || !errors.As(err, &dbErr) || dbErr.Constraint != "badge_owner_idx" {
		t.Errorf("a second badge for ann: %v, want a unique violation of badge_owner_idx", err)
	}
}

func TestManyToMany(t *testing.T) {
	seedWorld(t)
	c := conn(t)
	students, err := db.Find(c, protocol.StudentDB, db.OrderBy(protocol.StudentT.Name.Asc()), db.Include(protocol.StudentInclude{
		Enrollments: &protocol.EnrollmentIncludeList{
			// Ordered by a column of the joined course.
			OrderBy: []db.Order{protocol.EnrollmentT.Course().Title.Asc()},
			Include: &protocol.EnrollmentInclude{Course: &protocol.CourseInclude{}},
		},
	}))
	if err != nil {
		t.Fatal(err)
	}
	titles := func(s protocol.Student) []string {
		out := []string{}
		for _, e := range s.Enrollments {
			out = append(out, e.Course.Title)
		}
		return out
	}
	for i, want := range [][]string{{"Art", "Math"}, {"Math"}, {}} {
		if g := titles(students[i]); !slices.Equal(g, want) {
			t.Errorf("%s takes %q, want %q", students[i].Name, g, want)
		}
	}

	studentsWhere := func(where db.Expr) []string {
		t.Helper()
		got, err := db.Find(c, protocol.StudentDB, db.Where(where), db.OrderBy(protocol.StudentT.Name.Asc()))
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, s := range got {
			out = append(out, s.Name)
		}
		return out
	}
	math := protocol.EnrollmentT.Course().Title.Equals("Math")
	for _, tc := range []struct {
		name  string
		where db.Expr
		want  []string
	}{
		{"Any", protocol.StudentT.Enrollments.Any(math), []string{"sue", "tim"}},
		{"Any at all", protocol.StudentT.Enrollments.Any(), []string{"sue", "tim"}},
		{"None", protocol.StudentT.Enrollments.None(math), []string{"uma"}},
		{"Every, including no rows", protocol.StudentT.Enrollments.Every(math), []string{"tim", "uma"}},
		{"Count greater", protocol.StudentT.Enrollments.Count().GreaterThan(1), []string{"sue"}},
		{"Count zero", protocol.StudentT.Enrollments.Count().Equals(0), []string{"uma"}},
		{"Count of some", protocol.StudentT.Enrollments.Count(math).Equals(1), []string{"sue", "tim"}},
		{"Count between", protocol.StudentT.Enrollments.Count().Between(1, 1), []string{"tim"}},
		{"Count not between", protocol.StudentT.Enrollments.Count().NotBetween(1, 1), []string{"sue", "uma"}},
		{"Count less", protocol.StudentT.Enrollments.Count().LessOrEqual(1), []string{"tim", "uma"}},
		{"Count in set", protocol.StudentT.Enrollments.Count().InSet(0, 2), []string{"sue", "uma"}},
		{"Count not in set", protocol.StudentT.Enrollments.Count().NotInSet(0, 2), []string{"tim"}},
		{"Count not equal", protocol.StudentT.Enrollments.Count().NotEquals(1), []string{"sue", "uma"}},
		{"Count at least", protocol.StudentT.Enrollments.Count().GreaterOrEqual(1), []string{"sue", "tim"}},
		{"Count less than", protocol.StudentT.Enrollments.Count().LessThan(2), []string{"tim", "uma"}},
	} {
		if got := studentsWhere(tc.where); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}

	courses, err := db.Find(c, protocol.CourseDB, db.OrderBy(protocol.CourseT.Enrollments.Count().Desc(), protocol.CourseT.Title.Asc()))
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, co := range courses {
		order = append(order, co.Title)
	}
	if want := []string{"Math", "Art", "Bio"}; !slices.Equal(order, want) {
		t.Errorf("courses by enrollments = %q, want %q", order, want)
	}
}

func catNames(cs []protocol.Cat) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

func TestSelfRelations(t *testing.T) {
	w := seedWorld(t)
	c := conn(t)
	tom, err := db.FindFirstRow(c, protocol.CatDB, db.Where(protocol.CatT.Name.Equals("Tom")), db.Include(protocol.CatInclude{
		Kittens: &protocol.CatIncludeList{
			OrderBy: []db.Order{protocol.CatT.Name.Asc()},
			Include: &protocol.CatInclude{Kittens: &protocol.CatIncludeList{}, Mother: &protocol.CatInclude{}},
		},
	}))
	if err != nil {
		t.Fatal(err)
	}
	if g := catNames(tom.Kittens); !slices.Equal(g, []string{"Kit1", "Kit2"}) {
		t.Fatalf("Tom's kittens = %q", g)
	}
	if g := catNames(tom.Kittens[0].Kittens); !slices.Equal(g, []string{"Grand"}) {
		t.Errorf("Kit1's kittens = %q", g)
	}
	if m := tom.Kittens[0].Mother; m == nil || m.Name != "Tom" {
		t.Errorf("Kit1's mother = %+v", m)
	}

	catsWhere := func(where db.Expr) []string {
		t.Helper()
		got, err := db.Find(c, protocol.CatDB, db.Where(where), db.OrderBy(protocol.CatT.Name.Asc()))
		if err != nil {
			t.Fatal(err)
		}
		return catNames(got)
	}
	for _, tc := range []struct {
		name  string
		where db.Expr
		want  []string
	}{
		{"mother's name", protocol.CatT.Mother().Name.Equals("Tom"), []string{"Kit1", "Kit2"}},
		{"grandmother's name", protocol.CatT.Mother().Mother().Name.Equals("Tom"), []string{"Grand"}},
		{"no mother", protocol.CatT.Mother().ID.IsNull(), []string{"Stray", "Tom"}},
		{"has kittens", protocol.CatT.Kittens.Any(), []string{"Kit1", "Tom"}},
		// Inside the filter, CatT means the kittens.
		{"has grandkittens", protocol.CatT.Kittens.Any(protocol.CatT.Kittens.Any()), []string{"Tom"}},
		{"kitten named Grand", protocol.CatT.Kittens.Any(protocol.CatT.Name.Equals("Grand")), []string{"Kit1"}},
		{"two kittens", protocol.CatT.Kittens.Count().Equals(2), []string{"Tom"}},
		{"mother with two kittens", protocol.CatT.Mother().Kittens.Count().Equals(2), []string{"Kit1", "Kit2"}},
	} {
		if got := catsWhere(tc.where); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}

	if err := db.Detach(c, protocol.CatLinks.Kittens, w.cats["Kit2"]); err != nil {
		t.Fatal(err)
	}
	if err := db.AttachRow(c, protocol.CatLinks.Mother, w.cats["Stray"], w.cats["Grand"]); err != nil {
		t.Fatal(err)
	}
	if got := catsWhere(protocol.CatT.MotherID.IsNotNull()); !slices.Equal(got, []string{"Grand", "Kit1", "Stray"}) {
		t.Errorf("cats with a mother after detach and attach: %q", got)
	}

	posts, err := db.Find(c, protocol.PostDB, db.OrderBy(protocol.PostT.Body.Asc()), db.Include(protocol.PostInclude{
		Next:     &protocol.PostInclude{Next: &protocol.PostInclude{}},
		Previous: &protocol.PostInclude{},
	}))
	if err != nil {
		t.Fatal(err)
	}
	p1, p2, p3 := posts[0], posts[1], posts[2]
	if p1.Next == nil || p1.Next.Body != "p2" || p1.Next.Next == nil || p1.Next.Next.Body != "p3" || p1.Previous != nil {
		t.Errorf("p1 = %+v", p1)
	}
	if p2.Previous == nil || p2.Previous.Body != "p1" || p3.Next != nil || p3.Previous == nil || p3.Previous.Body != "p2" {
		t.Errorf("p2 = %+v, p3 = %+v", p2, p3)
	}
	got, err := db.Find(c, protocol.PostDB, db.Where(protocol.PostT.Previous().Body.Equals("p1").Or(protocol.PostT.Next().Body.Equals("p2"))), db.OrderBy(protocol.PostT.Body.Asc()))
	if err != nil || len(got) != 2 || got[0].Body != "p1" || got[1].Body != "p2" {
		t.Errorf("posts by neighbours = %+v, %v", got, err)
	}
	if err := db.DetachRow(c, protocol.PostLinks.Previous, w.posts["p2"]); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.FindByID(c, protocol.PostDB, *w.posts["p1"].ID); p.NextID != nil {
		t.Errorf("p1 still points at %d after p2 detached its previous", *p.NextID)
	}
}

func TestRelationFilters(t *testing.T) {
	w := seedWorld(t)
	c := conn(t)
	companiesWhere := func(where db.Expr) []string {
		t.Helper()
		got, err := db.Find(c, protocol.CompanyDB, db.Where(where), db.OrderBy(protocol.CompanyT.Name.Asc()))
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, co := range got {
			out = append(out, co.Name)
		}
		return out
	}
	e := protocol.EmployeeT
	for _, tc := range []struct {
		name  string
		where db.Expr
		want  []string
	}{
		{"through a relation of the related rows", protocol.CompanyT.Employees.Any(e.Badge().Code.Equals("B2")), []string{"Globex"}},
		{"every", protocol.CompanyT.Employees.Every(e.Name.Like("%e%")), []string{"Initech"}},
		{"none", protocol.CompanyT.Employees.None(), []string{"Initech"}},
		{"count of some", protocol.CompanyT.Employees.Count(e.Name.Like("%n")).GreaterOrEqual(1), []string{"Acme", "Globex"}},
		{"count and a column", protocol.CompanyT.Employees.Count().LessThan(3).And(protocol.CompanyT.Hq().Name.IsNotNull()), []string{"Initech"}},
		{"two lists", protocol.CompanyT.Employees.Any().And(protocol.CompanyT.Offices.Count().Equals(1)), []string{"Globex"}},
	} {
		if got := companiesWhere(tc.where); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}

	employeesWhere := func(opts ...db.Option) []string {
		t.Helper()
		got, err := db.Find(c, protocol.EmployeeDB, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return employeeNames(got)
	}
	if got := employeesWhere(db.Where(e.Company().Hq().Name.Equals("Paris")), db.OrderBy(e.Name.Asc())); !slices.Equal(got, []string{"ann", "bob", "cid"}) {
		t.Errorf("employees in Paris: %q", got)
	}
	if got := employeesWhere(db.Where(e.Company().Hq().Name.IsNull()), db.OrderBy(e.Name.Asc())); !slices.Equal(got, []string{"dan", "eve"}) {
		t.Errorf("employees of companies without hq: %q", got)
	}
	if got := employeesWhere(db.OrderBy(e.Company().Name.Desc(), e.Name.Asc())); !slices.Equal(got, []string{"dan", "eve", "ann", "bob", "cid"}) {
		t.Errorf("employees by company name: %q", got)
	}
	if n, err := db.Count(c, protocol.EmployeeDB, db.Where(e.Company().Name.Equals("Acme"))); err != nil || n != 3 {
		t.Errorf("count through a relation = %d, %v", n, err)
	}

	// Deleting through a relation filter, and through a list filter.
	deleted, err := db.DeleteWhere(c, protocol.EmployeeDB, e.Company().Name.Equals("Globex"))
	if names := employeeNames(deleted); err != nil || !slices.Equal(sorted(names), []string{"dan", "eve"}) {
		t.Errorf("DeleteWhere through a relation deleted %q, %v", names, err)
	}
	b2, _ := db.FindFirstRow(c, protocol.BadgeDB, db.Where(protocol.BadgeT.Code.Equals("B2")))
	if b2 == nil || b2.OwnerID != nil {
		t.Errorf("B2 after its owner was deleted = %+v, want no owner (onDelete=SetNull)", b2)
	}
	none := protocol.CompanyT.Employees.None()
	_, err = db.DeleteWhere(c, protocol.CompanyDB, none)
	if !errors.Is(err, db.ErrForeignKeyViolation) {
		t.Errorf("deleting Globex while its office refers to it: %v, want a foreign key violation", err)
	}
	if err := db.Detach(c, protocol.CompanyLinks.Offices, w.offices["High St"]); err != nil {
		t.Fatal(err)
	}
	gone, err := db.DeleteWhere(c, protocol.CompanyDB, none)
	if err != nil || len(gone) != 2 {
		t.Errorf("DeleteWhere with a list filter deleted %d, %v; want Globex and Initech", len(gone), err)
	}
}

func sorted(s []string) []string { slices.Sort(s); return s }
