// Package auth is gopod's auth module, serverpod_auth (nickname auth):
// Serverpod 2.4's user accounts and sign-in — email and password, Google,
// Apple and Firebase — with 2.4's endpoints, JSON and tables, so that a
// Flutter app built with serverpod_auth 2.4 signs in against a gopod server
// unchanged and a Serverpod 2.4 database is taken over with its users,
// passwords and signed-in devices.
//
// A server uses it in two lines:
//
//	authModule := auth.New(auth.Config{SendValidationEmail: ..., SendPasswordResetEmail: ...})
//	pod.Main(args, dispatch.New(), pod.WithModule(authModule),
//		pod.WithAuthenticationHandler(authModule.AuthenticationHandler))
//
// Where 2.4 is weak the module is not (the difference is invisible to 2.4
// clients): codes come from crypto/rand, are stored as keyed hashes, expire
// and allow few wrong guesses, counted per request and per reset; attempts
// are checked and recorded in one step, before the password is compared,
// so parallel requests cannot outrun the limits; failed sign-ins are
// limited per email (but not from the addresses the account signs in
// from) and per email and client address, and a client address over its
// failure budget is slowed, never refused; an unknown address answers like
// a wrong password in about the same time; new passwords are Argon2id in
// PHC form and older hashes are upgraded at sign-in or in a batch; length
// limits apply to every new password; a sign-up asked for again with
// another password while one is pending leaves neither (so a stranger's
// password can never be confirmed by the owner of the address: 2.4 kept
// the first request), while the same password again gets a fresh code;
// changing or resetting a password
// signs the other devices out; auth keys are compared in constant time,
// blocked users are refused on every path including the authentication
// handler, and keys may expire; third-party tokens are verified for
// signature, issuer, audience and expiry, with key rotation, Apple tokens
// sign in once, and Firebase is asked about disabled users and revoked
// tokens; a Firebase address links to an existing account only when
// verified; uploaded images are refused from their header when they would
// take too much memory to decode; the userCanSee and enableUserImages
// options are enforced. See throttle.go for how attempts are limited.
//
// The module's tables are Serverpod 2.4's, untouched, plus gopod's side
// tables (gopod_auth_key_state, gopod_auth_request_state,
// gopod_auth_reset_state, gopod_auth_attempt, gopod_auth_used_token); its
// migrations folder (package migrations) starts at 2.4's last version,
// 20240520102713718.
package auth
