// Package endpoints uses the ORM from endpoint methods, through the session.
package endpoints

import (
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/pod"

	"orm/generated/protocol"
)

// CompanyEndpoint creates and lists companies.
type CompanyEndpoint struct {
	pod.Endpoint
}

// Create stores a company and returns it with its id.
func (e *CompanyEndpoint) Create(s *pod.Session, name string) (protocol.Company, error) {
	return db.InsertRow(s, protocol.CompanyDB, protocol.Company{Name: name})
}

// Named returns the companies whose name starts with prefix, with their
// employees, by name.
func (e *CompanyEndpoint) Named(s *pod.Session, prefix string) ([]protocol.Company, error) {
	return db.Find(s, protocol.CompanyDB,
		db.Where(protocol.CompanyT.Name.Like(prefix+"%")),
		db.OrderBy(protocol.CompanyT.Name.Asc()),
		db.Include(protocol.CompanyInclude{Employees: &protocol.EmployeeIncludeList{}}),
	)
}
