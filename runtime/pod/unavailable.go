package pod

import "net/http"

// unavailable answers a call that failed because the database could not
// be reached: 503 with Retry-After, so that clients and load balancers
// can tell an outage, which passes, from a failing method (500, as
// Serverpod 2.4 answers both).
func unavailable(w http.ResponseWriter, id int64) int {
	w.Header().Set("Retry-After", "1")
	writeText(w, http.StatusServiceUnavailable, "Service unavailable: the database cannot be reached. Call log id: "+formatLogID(id)+"\n")
	return http.StatusServiceUnavailable
}
