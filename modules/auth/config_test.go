package auth_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gopod/gopod/modules/auth"
)

// documented is the option table of Serverpod 2.4's auth module
// documentation ("Configure Authentication"): every option and its
// documented default, as written there. "-" means no default value: a hook
// that is not set, or a file chosen by the module.
var documented = []struct{ option, def string }{
	{"allowUnsecureRandom", "false"},
	{"emailSignInFailureResetTime", "5min"},
	{"enableUserImages", "true"},
	{"extraSaltyHash", "true"},
	{"firebaseServiceAccountKeyJson", "-"},
	{"importUserImagesFromGoogleSignIn", "true"},
	{"legacyUserSignOutBehavior", "SignOutOption.allDevices"},
	{"maxAllowedEmailSignInAttempts", "5"},
	{"maxPasswordLength", "128"},
	{"minPasswordLength", "8"},
	{"onUserCreated", "-"},
	{"onUserUpdated", "-"},
	{"onUserWillBeCreated", "-"},
	{"passwordResetExpirationTime", "24h"},
	{"sendPasswordResetEmail", "-"},
	{"sendValidationEmail", "-"},
	{"userCanEditFullName", "false"},
	{"userCanEditUserImage", "true"},
	{"userCanEditUserName", "true"},
	{"userCanSeeFullName", "true"},
	{"userCanSeeUserName", "true"},
	{"userImageFormat", "jpg"},
	{"userImageGenerator", "-"},
	{"userImageQuality", "70"},
	{"userImageSize", "256"},
	{"userInfoCacheLifetime", "1min"},
	{"validationCodeLength", "8"},
}

// goField is the Config field of a 2.4 option: the name with its first
// letter upper-cased, and Json spelled as Go spells initialisms.
func goField(option string) string {
	return strings.ReplaceAll(strings.ToUpper(option[:1])+option[1:], "Json", "JSON")
}

// documentedForm writes an effective option value the way the
// documentation writes defaults.
func documentedForm(v reflect.Value) string {
	switch x := v.Interface().(type) {
	case auth.Flag:
		switch x {
		case auth.On:
			return "true"
		case auth.Off:
			return "false"
		}
		return "unset"
	case time.Duration:
		if x%time.Hour == 0 {
			return fmt.Sprintf("%dh", x/time.Hour)
		}
		if x%time.Minute == 0 {
			return fmt.Sprintf("%dmin", x/time.Minute)
		}
		return x.String()
	case auth.SignOutOption:
		return x.String()
	case auth.ImageFormat:
		return string(x)
	case string:
		if x == "" {
			return "-"
		}
		return x
	}
	switch v.Kind() {
	case reflect.Func:
		if v.IsNil() {
			return "-"
		}
		return "set"
	case reflect.Bool:
		return fmt.Sprint(v.Bool())
	case reflect.Int:
		return fmt.Sprint(v.Int())
	}
	return fmt.Sprintf("%v", v.Interface())
}

// TestDefaultsMatchDocumentation: the module's defaults are 2.4's
// documented ones, option by option.
func TestDefaultsMatchDocumentation(t *testing.T) {
	cfg := reflect.ValueOf(auth.New(auth.Config{}).Config())
	for _, d := range documented {
		f := cfg.FieldByName(goField(d.option))
		if !f.IsValid() {
			t.Errorf("%s: auth.Config has no field %s", d.option, goField(d.option))
			continue
		}
		if got := documentedForm(f); got != d.def {
			t.Errorf("%s: default %s, documented %s", d.option, got, d.def)
		}
	}
	// The two options the documentation leaves out.
	for _, hook := range []string{"PasswordHashGenerator", "PasswordHashValidator"} {
		if f := cfg.FieldByName(hook); !f.IsValid() || !f.IsNil() {
			t.Errorf("%s: missing or set by default", hook)
		}
	}
}

// TestExplicitValuesKept: options set to their zero-like values stay set.
func TestExplicitValuesKept(t *testing.T) {
	cfg := auth.New(auth.Config{
		EnableUserImages: auth.Off, UserCanEditFullName: auth.On, LegacyUserSignOutBehavior: auth.CurrentDevice,
		UserImageFormat: auth.PNG, ValidationCodeLength: 4, MaxFailedAttemptsPerIP: -1,
		PasswordResetExpirationTime: time.Minute,
	}).Config()
	if cfg.EnableUserImages != auth.Off || cfg.UserCanEditFullName != auth.On || cfg.LegacyUserSignOutBehavior != auth.CurrentDevice ||
		cfg.UserImageFormat != auth.PNG || cfg.ValidationCodeLength != 4 || cfg.MaxFailedAttemptsPerIP != -1 ||
		cfg.PasswordResetExpirationTime != time.Minute {
		t.Errorf("explicit values changed: %+v", cfg)
	}
	if d := auth.New(auth.Config{MaxAllowedEmailSignInAttempts: 7}).Config(); d.MaxFailedAttemptsPerIP != 70 {
		t.Errorf("the per-address budget is 10 × maxAllowedEmailSignInAttempts: got %d", d.MaxFailedAttemptsPerIP)
	}
	if d := auth.New(auth.Config{}).Config(); d.SignOutOtherDevicesOnPasswordChange != auth.On || d.AuthKeyLifetime != 0 ||
		d.MaxCodeAttempts != 3 || d.AccountRequestExpirationTime != 24*time.Hour || d.MaxFailedAttemptsPerIP != 50 ||
		d.AddressSlowdown != time.Second || d.KnownAddressLifetime != 30*24*time.Hour || d.MaxWrongResetCodes != 100 ||
		d.Firebase.CheckRevoked != auth.On || d.ConcealAccounts {
		t.Errorf("gopod's option defaults: %+v", d)
	}
}

func TestInvalidConfig(t *testing.T) {
	for _, tt := range []struct {
		cfg  auth.Config
		want string
	}{
		{auth.Config{ValidationCodeLength: 3}, "ValidationCodeLength"},
		{auth.Config{MinPasswordLength: 20, MaxPasswordLength: 10}, "MinPasswordLength"},
		{auth.Config{UserImageFormat: "gif"}, "UserImageFormat"},
		{auth.Config{UserImageQuality: 101}, "UserImageQuality"},
		{auth.Config{UserImageSize: 100000}, "UserImageSize"},
		{auth.Config{EmailSignInFailureResetTime: -time.Second}, "EmailSignInFailureResetTime"},
		{auth.Config{AddressSlowdown: -time.Second}, "AddressSlowdown"},
		{auth.Config{MaxWrongResetCodes: -1}, "MaxWrongResetCodes"},
	} {
		err := tt.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Validate(%s) = %v", tt.want, err)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New accepted an invalid %s", tt.want)
				}
			}()
			auth.New(tt.cfg)
		}()
	}
	if err := (auth.Config{}).Validate(); err != nil {
		t.Errorf("the zero Config is invalid: %v", err)
	}
}
