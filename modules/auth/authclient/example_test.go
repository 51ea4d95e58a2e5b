package authclient_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	podclient "github.com/gopod/gopod/client"
	"github.com/gopod/gopod/modules/auth/authclient"
)

// A command line tool that stays signed in between runs: the key and the
// user are kept in files only the user can read.
func ExampleSessionManager() {
	ctx := context.Background()
	configDir, err := os.UserConfigDir()
	if err != nil {
		log.Fatal(err)
	}
	dir := filepath.Join(configDir, "myapp")
	keys := podclient.NewFileKeyManager(filepath.Join(dir, "auth-key"))
	// A project's generated client holds this caller as Modules.Auth.
	caller := authclient.NewCaller(podclient.NewCaller("https://api.example.com/",
		authclient.Registry(), podclient.WithAuthKeyManager(keys)))
	session := authclient.NewSessionManager(caller, keys,
		authclient.NewFileStorage(filepath.Join(dir, "user-info.json")))
	stop := session.AddListener(func() { fmt.Println("signed in:", session.IsSignedIn()) })
	defer stop()

	if err := session.Initialize(ctx); err != nil {
		log.Printf("could not check the session: %v", err) // offline: the stored user stays
	}
	if !session.IsSignedIn() {
		_, err := authclient.NewEmailAuthController(session).SignIn(ctx, "ada@example.com", "correct horse battery")
		var fail *authclient.SignInError
		if errors.As(err, &fail) {
			log.Fatalf("sign-in refused: %v", fail) // fail.Reason says why, when the server said
		} else if err != nil {
			log.Fatal(err)
		}
	}
	// Calls through the caller send the key the session manager stored.
	if _, err := caller.User.ChangeUserName(ctx, "Ada"); errors.Is(err, podclient.ErrUnauthorized) {
		// Signed out from another device: forget the key.
		_ = session.RefreshSession(ctx)
	}
	if err := session.SignOutDevice(ctx); errors.Is(err, authclient.ErrSignOutUnconfirmed) {
		log.Print("signed out here; the server could not be told")
	}
}
