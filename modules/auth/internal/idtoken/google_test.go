package idtoken

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// googleServer is a local token endpoint and People API that check what
// they are sent the way Google does.
func googleServer(t *testing.T, idToken string) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		if err := r.ParseForm(); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		want := map[string]string{
			"client_id":     webClientID,
			"client_secret": "s3cret",
			"redirect_uri":  "https://app.example.com/googlesignin",
			"grant_type":    "authorization_code",
		}
		for k, v := range want {
			if r.PostForm.Get(k) != v {
				w.WriteHeader(http.StatusBadRequest)
				json.NewEncoder(w).Encode(map[string]string{"error": "redirect_uri_mismatch", "error_description": k + " is " + r.PostForm.Get(k)})
				return
			}
		}
		if r.PostForm.Get("code") != "4/0AQlEd8good" {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant", "error_description": "Bad Request"})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"access_token":  "ya29.access",
			"expires_in":    3599,
			"refresh_token": "1//refresh",
			"scope":         "https://www.googleapis.com/auth/userinfo.profile openid https://www.googleapis.com/auth/userinfo.email",
			"token_type":    "Bearer",
			"id_token":      idToken,
		})
	})
	mux.HandleFunc("/v1/people/me", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer ya29.access" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Query().Get("personFields") != "emailAddresses,names,photos" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"resourceName":"people/110169484474386276334",
			"names":[{"metadata":{"primary":true},"displayName":"Ada Lovelace","familyName":"Lovelace","givenName":"Ada"}],
			"photos":[{"metadata":{"primary":true},"url":"https://lh3.googleusercontent.com/a/photo=s100"}],
			"emailAddresses":[{"metadata":{"primary":true,"verified":true},"value":"Ada@Example.com"}]}`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestGoogleServerAuthCode(t *testing.T) {
	k1 := rsaKey(t, 0)
	is := newIssuer(t, JWKS, map[string]*rsa.PrivateKey{"k1": k1})
	clk := newClock()
	srv := googleServer(t, sign(t, k1, "k1", googleClaims()))
	g := &GoogleOAuth{
		ClientID: webClientID, ClientSecret: "s3cret",
		TokenURL: srv.URL + "/token", PeopleURL: srv.URL + "/v1/people/me",
		HTTPClient: srv.Client(), Now: clk.Now,
	}
	ctx := context.Background()

	tokens, err := g.Exchange(ctx, "4/0AQlEd8good", "https://app.example.com/googlesignin")
	if err != nil {
		t.Fatal(err)
	}
	if tokens.AccessToken != "ya29.access" || tokens.RefreshToken != "1//refresh" || tokens.TokenType != "Bearer" ||
		len(tokens.Scopes) != 3 || !tokens.Expiry.Equal(t0.Add(3599*time.Second)) {
		t.Errorf("tokens = %+v", tokens)
	}

	// The ID token that comes with the exchange verifies like any other.
	v := newGoogle(t, is, clk)
	claims, err := v.Verify(ctx, tokens.IDToken, "")
	if err != nil || claims.Email != "ada@example.com" {
		t.Errorf("Verify(id_token) = %+v, %v", claims, err)
	}

	creds, err := tokens.CredentialsJSON()
	if err != nil {
		t.Fatal(err)
	}
	var stored map[string]any
	if err := json.Unmarshal(creds, &stored); err != nil {
		t.Fatal(err)
	}
	at, _ := stored["accessToken"].(map[string]any)
	if at["type"] != "Bearer" || at["data"] != "ya29.access" || at["expiry"] != "2026-03-01T12:59:59.000Z" ||
		stored["refreshToken"] != "1//refresh" || stored["idToken"] != tokens.IDToken || len(stored["scopes"].([]any)) != 3 {
		t.Errorf("credentials JSON = %s", creds)
	}

	p, err := g.Person(ctx, tokens.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	want := Person{DisplayName: "Ada Lovelace", GivenName: "Ada", FamilyName: "Lovelace",
		PhotoURL: "https://lh3.googleusercontent.com/a/photo=s100", Email: "Ada@Example.com", EmailVerified: true}
	if *p != want {
		t.Errorf("Person = %+v, want %+v", *p, want)
	}
	if _, err := g.Person(ctx, "wrong"); !errors.Is(err, ErrGoogleOAuth) {
		t.Errorf("Person with a bad token: err = %v", err)
	}
}

func TestGoogleExchangeErrors(t *testing.T) {
	srv := googleServer(t, "")
	ctx := context.Background()
	g := &GoogleOAuth{ClientID: webClientID, ClientSecret: "s3cret", TokenURL: srv.URL + "/token", HTTPClient: srv.Client()}

	_, err := g.Exchange(ctx, "4/0AQlEd8expired", "https://app.example.com/googlesignin")
	var oe *OAuthError
	if !errors.As(err, &oe) || oe.Code != "invalid_grant" || oe.Status != http.StatusBadRequest || !errors.Is(err, ErrGoogleOAuth) {
		t.Errorf("used code: err = %v", err)
	}
	_, err = g.Exchange(ctx, "4/0AQlEd8good", "https://elsewhere.example.com/")
	if !errors.As(err, &oe) || oe.Code != "redirect_uri_mismatch" {
		t.Errorf("wrong redirect: err = %v", err)
	}
	if _, err := g.Exchange(ctx, "", "x"); !errors.Is(err, ErrGoogleOAuth) {
		t.Errorf("empty code: err = %v", err)
	}

	release := make(chan struct{})
	hang := newHangingServer(t, release)
	slow := &GoogleOAuth{ClientID: webClientID, TokenURL: hang.URL, Timeout: 50 * time.Millisecond}
	_, err = slow.Exchange(ctx, "4/0AQlEd8good", "x")
	close(release)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hanging token endpoint: err = %v, want a deadline", err)
	}
}
