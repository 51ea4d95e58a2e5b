package auth

import (
	"context"
	"errors"
	"fmt"
	"image"
	"net/http"
	"time"

	"github.com/gopod/gopod/modules/auth/internal/avatar"
	"github.com/gopod/gopod/modules/auth/internal/codes"
	"github.com/gopod/gopod/modules/auth/protocol"
	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/runtime/storage"
)

// Flag is an on/off option whose default may be on. Its zero value, Unset,
// takes the option's default, so a Config literal names only what it
// changes.
type Flag int8

// Values of a Flag.
const (
	Unset Flag = iota
	On
	Off
)

// Enabled reports whether the flag is on; Unset gives def.
func (f Flag) Enabled(def bool) bool {
	switch f {
	case On:
		return true
	case Off:
		return false
	}
	return def
}

func (f Flag) orDefault(def bool) Flag {
	if f.Enabled(def) {
		return On
	}
	return Off
}

// SignOutOption says whom the deprecated status.signOut signs out
// (2.4's SignOutOption).
type SignOutOption int

const (
	// AllDevices signs the user out on every device (2.4's default).
	AllDevices SignOutOption = iota
	// CurrentDevice signs out only the key the call came with.
	CurrentDevice
)

func (o SignOutOption) String() string {
	if o == CurrentDevice {
		return "SignOutOption.currentDevice"
	}
	return "SignOutOption.allDevices"
}

// ImageFormat is how user images are encoded: JPG (2.4's default) or PNG.
type ImageFormat string

// Image formats.
const (
	JPG ImageFormat = "jpg"
	PNG ImageFormat = "png"
)

// Config configures the auth module. Its fields up to PasswordHashValidator
// are Serverpod 2.4's AuthConfig under Go names; the zero value of each
// means 2.4's default (see Defaults), so New(Config{}) behaves as 2.4's
// module does out of the box, with its security flaws fixed. The fields
// after them are gopod's additions.
type Config struct {
	// AllowUnsecureRandom is accepted for compatibility and changes
	// nothing: gopod draws every key, code and salt from crypto/rand,
	// which does not fall back to a weaker source.
	AllowUnsecureRandom bool

	// EmailSignInFailureResetTime is the window in which failed email
	// sign-ins are counted (default 5 minutes).
	EmailSignInFailureResetTime time.Duration

	// EnableUserImages turns user images on (default On): without it no
	// default image is drawn and no image is imported, set or removed.
	EnableUserImages Flag

	// ExtraSaltyHash says whether the 2.4 server that wrote the legacy
	// SHA-256 password hashes salted them with the email (default On).
	// Only legacy hashes are affected; gopod never writes them.
	ExtraSaltyHash Flag

	// FirebaseServiceAccountKeyJSON is the path of the Firebase service
	// account key file, whose project_id Firebase ID tokens must be
	// issued for. Empty means config/firebase_service_account_key.json,
	// as in 2.4, unless Firebase.ProjectID is set.
	FirebaseServiceAccountKeyJSON string

	// ImportUserImagesFromGoogleSignIn imports a new Google user's photo
	// as their user image (default On).
	ImportUserImagesFromGoogleSignIn Flag

	// LegacyUserSignOutBehavior is what the deprecated status.signOut does
	// (default AllDevices).
	LegacyUserSignOutBehavior SignOutOption

	// MaxAllowedEmailSignInAttempts is how many failed sign-ins an email
	// address may have within EmailSignInFailureResetTime before further
	// attempts are refused with tooManyFailedAttempts (default 5).
	MaxAllowedEmailSignInAttempts int

	// MaxPasswordLength and MinPasswordLength bound new passwords, in
	// UTF-16 code units as 2.4 counted (defaults 128 and 8). gopod applies
	// them on sign-up, password change and reset alike.
	MaxPasswordLength int
	MinPasswordLength int

	// OnUserCreated is called after a user has been created.
	OnUserCreated func(s *pod.Session, user *protocol.UserInfo)
	// OnUserUpdated is called after a user's name, full name, image or
	// scopes changed, and after the user was blocked or unblocked.
	OnUserUpdated func(s *pod.Session, user *protocol.UserInfo)
	// OnUserWillBeCreated may veto a new user by returning false; method
	// is email, google, apple or firebase.
	OnUserWillBeCreated func(s *pod.Session, user *protocol.UserInfo, method string) (bool, error)

	// PasswordResetExpirationTime is how long a password reset code is
	// valid (default 24 hours).
	PasswordResetExpirationTime time.Duration

	// SendPasswordResetEmail sends a password reset code; without it
	// initiatePasswordReset answers false.
	SendPasswordResetEmail func(s *pod.Session, user *protocol.UserInfo, code string) error
	// SendValidationEmail sends the code that confirms a new account's
	// email address; without it createAccountRequest answers false.
	SendValidationEmail func(s *pod.Session, email, code string) error

	// UserCanEditFullName (default Off), UserCanEditUserImage (default On)
	// and UserCanEditUserName (default On) allow the user endpoint's
	// changes.
	UserCanEditFullName  Flag
	UserCanEditUserImage Flag
	UserCanEditUserName  Flag
	// UserCanSeeFullName and UserCanSeeUserName (default On) say whether
	// the user's own full name and user name are sent back to them; when
	// off, they are left out of the UserInfo of sign-ins and of
	// status.getUserInfo.
	UserCanSeeFullName Flag
	UserCanSeeUserName Flag

	// UserImageFormat is the format of stored user images (default JPG).
	UserImageFormat ImageFormat
	// UserImageGenerator draws a user's default image; nil draws the
	// user's initial on a coloured square, as 2.4 does. The image is
	// cropped to a square and scaled to UserImageSize.
	UserImageGenerator func(ctx context.Context, user *protocol.UserInfo) (image.Image, error)
	// UserImageQuality is the JPEG quality of user images (default 70).
	UserImageQuality int
	// UserImageSize is the width and height of user images (default 256).
	UserImageSize int

	// UserInfoCacheLifetime is how long this server keeps users and auth
	// keys it has read (default 1 minute). Sign-outs, blocks and other
	// changes made through the module take effect at once on this server,
	// and on the others when the servers share a Redis; changes made
	// otherwise (SQL, a 2.4 server) are seen after at most this long.
	UserInfoCacheLifetime time.Duration

	// ValidationCodeLength is the length of account validation and
	// password reset codes (default 8, at least 4).
	ValidationCodeLength int

	// PasswordHashGenerator replaces gopod's password hashing (PHC
	// Argon2id). With it or PasswordHashValidator set, stored hashes are
	// not upgraded on sign-in, as in 2.4.
	PasswordHashGenerator func(ctx context.Context, password string) (string, error)
	// PasswordHashValidator replaces gopod's password verification; email
	// is the account's stored email.
	PasswordHashValidator func(ctx context.Context, password, email, hash string) (bool, error)

	// SignOutOtherDevicesOnPasswordChange revokes the user's other auth
	// keys when the password is changed, and all of them when it is reset
	// (default On).
	SignOutOtherDevicesOnPasswordChange Flag

	// AuthKeyLifetime makes auth keys expire this long after they were
	// issued (zero, the default, keeps them until sign-out as 2.4 does).
	// Keys issued by Serverpod 2.4 count from when gopod first sees them.
	AuthKeyLifetime time.Duration

	// MaxFailedAttemptsPerIP is the failure budget of one client address
	// (an IPv4 address, or an IPv6 /64 network): how many failed attempts
	// of every kind — sign-ins, wrong codes, wrong old passwords, reset
	// or sign-up requests for addresses without or with an account — it
	// may make within EmailSignInFailureResetTime before its attempts are
	// slowed (AddressSlowdown). It is never a refusal: behind a proxy or
	// NAT one address is many users. Successful sign-ins, sign-ups and
	// reset emails do not count. Zero means 10 ×
	// MaxAllowedEmailSignInAttempts (50); a negative value turns the
	// budget off.
	MaxFailedAttemptsPerIP int

	// AddressSlowdown is how far apart the attempts of a client address
	// over its failure budget are let through, one at a time (default 1
	// second). An attempt that finds 8 of the address's attempts waiting
	// already is answered at once as refused (tooManyFailedAttempts,
	// false or null).
	AddressSlowdown time.Duration

	// KnownAddressLifetime is how long a client address from which an
	// account signed in (or reset its password, or confirmed its sign-up)
	// stays known to it (default 30 days). When the account has
	// MaxAllowedEmailSignInAttempts failed sign-ins within the window,
	// sign-ins are refused as in 2.4, but not from its known addresses,
	// so that strangers' guesses cannot lock the owner out; from each
	// address, known or not, the same limit still holds. A negative value
	// knows no address: 2.4's per-email lock for everyone.
	KnownAddressLifetime time.Duration

	// MaxWrongResetCodes bounds the wrong password reset codes from all
	// client addresses together within EmailSignInFailureResetTime
	// (default 100) while pending resets stored by Serverpod 2.4 (or an
	// earlier gopod), which cannot count wrong codes themselves, are still
	// accepted. Over it such resets are not found until the window has
	// passed; gopod's own resets each survive MaxCodeAttempts codes.
	MaxWrongResetCodes int

	// MaxCodeAttempts is how many codes an account request or a password
	// reset survives (default 3): every code tried counts, the right one
	// included, and a wrong one at the limit drops the request or reset,
	// so the user must start again. Wrong reset codes are matched to their
	// reset by the code's first half.
	MaxCodeAttempts int

	// AccountRequestExpirationTime is how long the code of an account
	// request is valid (default 24 hours).
	AccountRequestExpirationTime time.Duration

	// ConcealAccounts makes createAccountRequest and initiatePasswordReset
	// answer true whether or not the address has an account (nothing is
	// sent when the answer would have been false), so that they cannot be
	// used to find out who has an account. Both cost the same work either
	// way, and emails are sent after the answer, from a queue, so timing
	// does not tell either; the answer is then true even when sending
	// fails (which is logged). Off by default, as the option is not 2.4's
	// and 2.4 apps tell their users about the false answer; projects made
	// by gopod create turn it on.
	ConcealAccounts bool

	// Serverpod24PasswordFormat writes new password hashes in 2.4's own
	// Argon2id form instead of PHC, for a database that 2.4 servers
	// still share.
	Serverpod24PasswordFormat bool

	// PasswordCost is the Argon2id cost of new password hashes; zero
	// means 19 MiB, 2 passes, 1 lane.
	PasswordCost PasswordCost

	// Google, Apple and Firebase configure third-party sign-in.
	Google   GoogleConfig
	Apple    AppleConfig
	Firebase FirebaseConfig

	// HTTPClient makes the module's outgoing requests (provider keys,
	// Google's token endpoint and People API, image downloads); nil means
	// a client with timeouts of the module's own.
	HTTPClient *http.Client

	// Storage keeps user images; nil means the database-backed public
	// storage with URLs on storage.DefaultServer. A server whose public
	// address is not localhost:8080 passes
	// storage.NewDatabase(storage.Public, its address).
	Storage storage.Storage

	// Now is the clock; nil means time.Now. Tests set it.
	Now func() time.Time
}

// PasswordCost is the Argon2id cost of new password hashes.
type PasswordCost struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// GoogleConfig configures Google sign-in.
type GoogleConfig struct {
	// ClientSecretFile is the path of the OAuth client secret file
	// downloaded from the Google Cloud console; empty means
	// config/google_client_secret.json, as in 2.4. It is read when
	// ClientID is empty.
	ClientSecretFile string
	// ClientID, ClientSecret and RedirectURIs are the web client's
	// credentials, as the file holds them under "web".
	ClientID     string
	ClientSecret string
	RedirectURIs []string
	// ExtraClientIDs are more audiences accepted on ID tokens: the app's
	// iOS and Android client ids.
	ExtraClientIDs []string
	// CertsURL, TokenURL and PeopleURL override Google's endpoints (tests
	// run a local issuer).
	CertsURL  string
	TokenURL  string
	PeopleURL string
}

// AppleConfig configures Sign in with Apple.
type AppleConfig struct {
	// Audiences are the app's bundle id and, for sign-in on the web, its
	// service id. Identity tokens issued for anything else are refused;
	// without any, Apple sign-in answers internalError.
	Audiences []string
	// KeysURL overrides Apple's key endpoint.
	KeysURL string
}

// FirebaseConfig configures Firebase sign-in.
type FirebaseConfig struct {
	// ProjectID is the Firebase project; empty means the project_id of
	// the service account key file (FirebaseServiceAccountKeyJSON).
	ProjectID string
	// CertsURL overrides the endpoint of Firebase's signing certificates.
	CertsURL string
	// CheckRevoked asks Firebase, through the Identity Toolkit API
	// (accounts:lookup) with the service account of
	// FirebaseServiceAccountKeyJSON, whether the token's user is disabled
	// or has had their tokens revoked since it was issued (default On).
	// Without a service account key Firebase sign-in then answers
	// internalError; Off skips the check.
	CheckRevoked Flag
	// IdentityToolkitURL overrides https://identitytoolkit.googleapis.com,
	// and TokenURL the service account key's token_uri (tests run a local
	// stand-in for both).
	IdentityToolkitURL string
	TokenURL           string
}

// Defaults of Config, as Serverpod 2.4's AuthConfig documents them.
const (
	DefaultEmailSignInFailureResetTime   = 5 * time.Minute
	DefaultMaxAllowedEmailSignInAttempts = 5
	DefaultMaxPasswordLength             = 128
	DefaultMinPasswordLength             = 8
	DefaultPasswordResetExpirationTime   = 24 * time.Hour
	DefaultUserImageFormat               = JPG
	DefaultUserImageQuality              = avatar.DefaultQuality
	DefaultUserImageSize                 = avatar.DefaultSize
	DefaultUserInfoCacheLifetime         = time.Minute
	DefaultValidationCodeLength          = codes.DefaultLength
	DefaultFirebaseServiceAccountKeyJSON = "config/firebase_service_account_key.json"
	DefaultGoogleClientSecretFile        = "config/google_client_secret.json"
	DefaultMaxCodeAttempts               = 3
	DefaultAccountRequestExpirationTime  = 24 * time.Hour
	DefaultAddressSlowdown               = time.Second
	DefaultKnownAddressLifetime          = 30 * 24 * time.Hour
	DefaultMaxWrongResetCodes            = 100
	// DefaultAddressBudgetFactor times MaxAllowedEmailSignInAttempts is
	// the default MaxFailedAttemptsPerIP.
	DefaultAddressBudgetFactor = 10
)

// withDefaults returns c with every unset option at its default.
func (c Config) withDefaults() Config {
	setDuration := func(d *time.Duration, def time.Duration) {
		if *d == 0 {
			*d = def
		}
	}
	setInt := func(n *int, def int) {
		if *n == 0 {
			*n = def
		}
	}
	setDuration(&c.EmailSignInFailureResetTime, DefaultEmailSignInFailureResetTime)
	setDuration(&c.PasswordResetExpirationTime, DefaultPasswordResetExpirationTime)
	setDuration(&c.UserInfoCacheLifetime, DefaultUserInfoCacheLifetime)
	setDuration(&c.AccountRequestExpirationTime, DefaultAccountRequestExpirationTime)
	setInt(&c.MaxAllowedEmailSignInAttempts, DefaultMaxAllowedEmailSignInAttempts)
	setInt(&c.MaxPasswordLength, DefaultMaxPasswordLength)
	setInt(&c.MinPasswordLength, DefaultMinPasswordLength)
	setInt(&c.UserImageQuality, DefaultUserImageQuality)
	setInt(&c.UserImageSize, DefaultUserImageSize)
	setInt(&c.ValidationCodeLength, DefaultValidationCodeLength)
	setInt(&c.MaxCodeAttempts, DefaultMaxCodeAttempts)
	setInt(&c.MaxFailedAttemptsPerIP, DefaultAddressBudgetFactor*c.MaxAllowedEmailSignInAttempts)
	setInt(&c.MaxWrongResetCodes, DefaultMaxWrongResetCodes)
	setDuration(&c.AddressSlowdown, DefaultAddressSlowdown)
	setDuration(&c.KnownAddressLifetime, DefaultKnownAddressLifetime)
	if c.UserImageFormat == "" {
		c.UserImageFormat = DefaultUserImageFormat
	}
	c.EnableUserImages = c.EnableUserImages.orDefault(true)
	c.ExtraSaltyHash = c.ExtraSaltyHash.orDefault(true)
	c.ImportUserImagesFromGoogleSignIn = c.ImportUserImagesFromGoogleSignIn.orDefault(true)
	c.UserCanEditFullName = c.UserCanEditFullName.orDefault(false)
	c.UserCanEditUserImage = c.UserCanEditUserImage.orDefault(true)
	c.UserCanEditUserName = c.UserCanEditUserName.orDefault(true)
	c.UserCanSeeFullName = c.UserCanSeeFullName.orDefault(true)
	c.UserCanSeeUserName = c.UserCanSeeUserName.orDefault(true)
	c.SignOutOtherDevicesOnPasswordChange = c.SignOutOtherDevicesOnPasswordChange.orDefault(true)
	c.Firebase.CheckRevoked = c.Firebase.CheckRevoked.orDefault(true)
	return c
}

// Validate reports the first option that has no sensible value.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	bad := func(name string, format string, args ...any) {
		errs = append(errs, fmt.Errorf("auth.Config.%s: %s", name, fmt.Sprintf(format, args...)))
	}
	if c.ValidationCodeLength < codes.MinLength || c.ValidationCodeLength > codes.MaxLength {
		bad("ValidationCodeLength", "%d; must be between %d and %d", c.ValidationCodeLength, codes.MinLength, codes.MaxLength)
	}
	if c.MinPasswordLength < 0 || c.MaxPasswordLength < c.MinPasswordLength {
		bad("MinPasswordLength", "%d with MaxPasswordLength %d; want 0 <= min <= max", c.MinPasswordLength, c.MaxPasswordLength)
	}
	if c.MaxAllowedEmailSignInAttempts < 0 {
		bad("MaxAllowedEmailSignInAttempts", "%d; must be positive", c.MaxAllowedEmailSignInAttempts)
	}
	if c.MaxCodeAttempts < 0 {
		bad("MaxCodeAttempts", "%d; must be positive", c.MaxCodeAttempts)
	}
	if c.MaxWrongResetCodes < 0 {
		bad("MaxWrongResetCodes", "%d; must be positive", c.MaxWrongResetCodes)
	}
	for name, d := range map[string]time.Duration{
		"EmailSignInFailureResetTime":  c.EmailSignInFailureResetTime,
		"PasswordResetExpirationTime":  c.PasswordResetExpirationTime,
		"UserInfoCacheLifetime":        c.UserInfoCacheLifetime,
		"AccountRequestExpirationTime": c.AccountRequestExpirationTime,
		"AuthKeyLifetime":              c.AuthKeyLifetime,
		"AddressSlowdown":              c.AddressSlowdown,
	} {
		if d < 0 {
			bad(name, "%v; must not be negative", d)
		}
	}
	if c.UserImageSize < 1 || c.UserImageSize > avatar.MaxSize {
		bad("UserImageSize", "%d; must be between 1 and %d", c.UserImageSize, avatar.MaxSize)
	}
	if c.UserImageQuality < 1 || c.UserImageQuality > 100 {
		bad("UserImageQuality", "%d; must be between 1 and 100", c.UserImageQuality)
	}
	if _, err := avatar.ParseFormat(string(c.UserImageFormat)); err != nil {
		bad("UserImageFormat", "%q; want %q or %q", c.UserImageFormat, JPG, PNG)
	}
	if c.LegacyUserSignOutBehavior != AllDevices && c.LegacyUserSignOutBehavior != CurrentDevice {
		bad("LegacyUserSignOutBehavior", "%d; want AllDevices or CurrentDevice", c.LegacyUserSignOutBehavior)
	}
	return errors.Join(errs...)
}
