package models

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/gopod/gopod/generator/model"
)

// want describes every model as Serverpod 2.4's serverpod_auth defines it
// (its migration 20240520102713718): these names and types are the
// database and wire contract, so any change here is a compatibility break.
var want = map[string]struct {
	kind       model.Kind
	table      string
	serverOnly bool
	fields     []string // "name type", with " !persist" for API-only fields
	indexes    []string // "name: fields [unique]"
	values     []string // enum values
	byName     bool     // gopod's own enums; 2.4's are byIndex
}{
	"UserInfo": {
		table: "serverpod_user_info",
		fields: []string{"id int?", "userIdentifier String", "userName String?", "fullName String?", "email String?",
			"created DateTime", "imageUrl String?", "scopeNames List<String>", "blocked bool"},
		indexes: []string{"serverpod_user_info_user_identifier: userIdentifier unique", "serverpod_user_info_email: email"},
	},
	"AuthKey": {
		table:   "serverpod_auth_key",
		fields:  []string{"id int?", "userId int", "hash String", "key String? !persist", "scopeNames List<String>", "method String"},
		indexes: []string{"serverpod_auth_key_userId_idx: userId"},
	},
	"EmailAuth": {
		table:   "serverpod_email_auth",
		fields:  []string{"id int?", "userId int", "email String", "hash String"},
		indexes: []string{"serverpod_email_auth_email: email unique"},
	},
	"EmailCreateAccountRequest": {
		table:   "serverpod_email_create_request",
		fields:  []string{"id int?", "userName String", "email String", "hash String", "verificationCode String"},
		indexes: []string{"serverpod_email_auth_create_account_request_idx: email unique"},
	},
	"EmailReset": {
		table:   "serverpod_email_reset",
		fields:  []string{"id int?", "userId int", "verificationCode String", "expiration DateTime"},
		indexes: []string{"serverpod_email_reset_verification_idx: verificationCode unique"},
	},
	"EmailFailedSignIn": {
		table:   "serverpod_email_failed_sign_in",
		fields:  []string{"id int?", "email String", "time DateTime", "ipAddress String"},
		indexes: []string{"serverpod_email_failed_sign_in_email_idx: email", "serverpod_email_failed_sign_in_time_idx: time"},
	},
	"UserImage": {
		table:   "serverpod_user_image",
		fields:  []string{"id int?", "userId int", "version int", "url String"},
		indexes: []string{"serverpod_user_image_user_id: userId,version"},
	},
	"GoogleRefreshToken": {
		table:   "serverpod_google_refresh_token",
		fields:  []string{"id int?", "userId int", "refreshToken String"},
		indexes: []string{"serverpod_google_refresh_token_userId_idx: userId unique"},
	},
	"AuthenticationResponse": {
		fields: []string{"success bool", "key String?", "keyId int?", "userInfo UserInfo?", "failReason AuthenticationFailReason?"},
	},
	"AuthenticationFailReason": {
		kind:   model.Enum,
		values: []string{"invalidCredentials", "userCreationDenied", "internalError", "tooManyFailedAttempts", "blocked"},
	},
	"AppleAuthInfo": {
		fields: []string{"userIdentifier String", "email String?", "fullName String", "nickname String", "identityToken String", "authorizationCode String"},
	},
	"UserInfoPublic": {
		fields: []string{"id int?", "userName String?", "fullName String?", "created DateTime", "imageUrl String?"},
	},
	"UserSettingsConfig": {
		fields: []string{"canSeeUserName bool", "canSeeFullName bool", "canEditUserName bool", "canEditFullName bool", "canEditUserImage bool"},
	},
	"EmailPasswordReset": {
		fields: []string{"userName String?", "email String"},
	},
	"AuthKeyState": {
		table: "gopod_auth_key_state", serverOnly: true,
		fields:  []string{"id int?", "authKeyId int", "created DateTime"},
		indexes: []string{"gopod_auth_key_state_key_idx: authKeyId unique"},
	},
	"EmailRequestState": {
		table: "gopod_auth_request_state", serverOnly: true,
		fields:  []string{"id int?", "requestId int", "expiration DateTime", "failedAttempts int"},
		indexes: []string{"gopod_auth_request_state_request_idx: requestId unique"},
	},
	"EmailResetState": {
		table: "gopod_auth_reset_state", serverOnly: true,
		fields: []string{"id int?", "resetId int", "selector String", "failedAttempts int"},
		indexes: []string{"gopod_auth_reset_state_reset_idx: resetId unique",
			"gopod_auth_reset_state_selector_idx: selector"},
	},
	"UsedIdentityToken": {
		table: "gopod_auth_used_token", serverOnly: true,
		fields: []string{"id int?", "tokenHash String", "expiration DateTime"},
		indexes: []string{"gopod_auth_used_token_hash_idx: tokenHash unique",
			"gopod_auth_used_token_expiration_idx: expiration"},
	},
	"AdminException": {
		kind:   model.Exception,
		fields: []string{"reason AdminExceptionReason", "userId int"},
	},
	"AdminExceptionReason": {
		kind:   model.Enum,
		values: []string{"userNotFound", "alreadyBlocked", "notBlocked"},
		byName: true,
	},
	"AuthAttempt": {
		table: "gopod_auth_attempt", serverOnly: true,
		fields: []string{"id int?", "domain String", "subject String", "ipAddress String", "time DateTime"},
		indexes: []string{"gopod_auth_attempt_subject_idx: domain,subject,time",
			"gopod_auth_attempt_ip_idx: domain,ipAddress,time", "gopod_auth_attempt_time_idx: time"},
	},
}

func TestModelsMatchServerpod24(t *testing.T) {
	var files []model.File
	err := fs.WalkDir(Files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(Files, path)
		files = append(files, model.File{Path: "models/" + path, Src: src})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	models, diags := model.Analyze(files, model.Options{Database: true})
	for _, d := range diags {
		if d.Fails() {
			t.Errorf("%s", d)
		}
	}
	if len(models) != len(want) {
		t.Errorf("%d models, want %d", len(models), len(want))
	}
	for _, m := range models {
		w, ok := want[m.ClassName]
		if !ok {
			t.Errorf("unexpected model %s", m.ClassName)
			continue
		}
		if m.Kind != w.kind || m.Table != w.table || m.ServerOnly != w.serverOnly {
			t.Errorf("%s: kind %v, table %q, serverOnly %v; want %v, %q, %v", m.ClassName, m.Kind, m.Table, m.ServerOnly, w.kind, w.table, w.serverOnly)
		}
		var fields []string
		for _, f := range m.Fields {
			s := f.Name + " " + f.Type.String()
			if !f.Persist && m.Table != "" {
				s += " !persist"
			}
			if f.Scope != model.ScopeAll && !m.ServerOnly {
				s += " scope=" + f.Scope.String()
			}
			fields = append(fields, s)
		}
		if strings.Join(fields, "; ") != strings.Join(w.fields, "; ") {
			t.Errorf("%s fields:\n got %s\nwant %s", m.ClassName, strings.Join(fields, "; "), strings.Join(w.fields, "; "))
		}
		var indexes []string
		for _, ix := range m.Indexes {
			s := ix.Name + ": " + strings.Join(ix.Fields, ",")
			if ix.Unique {
				s += " unique"
			}
			if ix.Type != "" && ix.Type != "btree" {
				s += " " + ix.Type
			}
			indexes = append(indexes, s)
		}
		if strings.Join(indexes, "; ") != strings.Join(w.indexes, "; ") {
			t.Errorf("%s indexes:\n got %s\nwant %s", m.ClassName, strings.Join(indexes, "; "), strings.Join(w.indexes, "; "))
		}
		var values []string
		for _, v := range m.Values {
			values = append(values, v.Name)
		}
		if strings.Join(values, ",") != strings.Join(w.values, ",") {
			t.Errorf("%s values: got %v, want %v", m.ClassName, values, w.values)
		}
		if wantSer := map[bool]model.EnumSerialization{false: model.ByIndex, true: model.ByName}[w.byName]; m.Kind == model.Enum && m.Serialized != wantSer {
			t.Errorf("%s is serialized %v, want %v", m.ClassName, m.Serialized, wantSer)
		}
	}
}
