package pod

import "github.com/gopod/gopod/runtime/config"

// WithAuthenticationOverride lets known answer for the keys it recognises
// before the authentication handler is asked: a key for which known
// returns true authenticates as the identity it returns, whatever the
// handler would say; other keys go to the handler as before. Test tools
// use it to call as a given user with given scopes without signing in.
// It wraps the handler set by the options before it, so it comes last.
func WithAuthenticationOverride(known func(key string) (*AuthenticationInfo, bool)) Option {
	return func(s *Server) {
		next := s.authHandler
		s.authHandler = func(sess *Session, key string) (*AuthenticationInfo, error) {
			if info, ok := known(key); ok {
				return info, nil
			}
			if next == nil {
				return nil, nil
			}
			return next(sess, key)
		}
	}
}

// ConnString is the pgx connection URL of a configured database (one with
// a host; an embedded database has its cluster's URL).
func ConnString(c config.Database) string { return connString(c) }
