// Command hello calls the server of a project named hello through its
// generated Go client: the example endpoint (a greeting, and a reminder the
// server runs as a future call), then the auth module (sign up,
// validate the code the development server logs, sign in, and calls as the
// signed-in user). Copy it to cmd/hello/main.go in the project and run it
// with the server's address and the file the server logs to.
package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"regexp"
	"time"

	"hello/client"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: hello http://localhost:8080/ server.log")
		os.Exit(2)
	}
	host, logFile := os.Args[1], os.Args[2]
	ctx := context.Background()
	c := client.New(host)
	greeting, err := c.Example.Hello(ctx, "World")
	check(err)
	fmt.Println("example.hello:", greeting)
	// A future call: the server logs the reminder when it runs.
	check(c.Example.RemindLater(ctx, "the future", 0))
	fmt.Println("example.remindLater: scheduled")

	email, password := "alice@example.com", "correct horse battery staple"
	ok, err := c.Modules.Auth.Email.CreateAccountRequest(ctx, "Alice", email, password)
	check(err)
	fmt.Println("email.createAccountRequest:", ok)
	code := codeFromLog(logFile, email)
	user, err := c.Modules.Auth.Email.CreateAccount(ctx, email, code)
	check(err)
	if user == nil {
		check(fmt.Errorf("email.createAccount refused the code the server logged"))
	}
	fmt.Println("email.createAccount: user", *user.ID, *user.UserName)
	res, err := c.Modules.Auth.Email.Authenticate(ctx, email, password)
	check(err)
	fmt.Println("email.authenticate: success", res.Success)
	if !res.Success {
		os.Exit(1)
	}
	check(c.Caller.AuthKeyManager().Put(fmt.Sprintf("%d:%s", *res.KeyID, *res.Key)))
	signedIn, err := c.Modules.Auth.Status.IsSignedIn(ctx)
	check(err)
	fmt.Println("status.isSignedIn:", signedIn)
	me, err := c.Modules.Auth.Status.GetUserInfo(ctx)
	check(err)
	fmt.Println("status.getUserInfo:", *me.Email, "image", *me.ImageURL)
}

// codeFromLog waits for the validation code the development server logs.
func codeFromLog(path, email string) string {
	re := regexp.MustCompile(`validation code.*email=` + regexp.QuoteMeta(email) + ` code=(\S+)`)
	for range 100 {
		if f, err := os.Open(path); err == nil {
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if m := re.FindStringSubmatch(sc.Text()); m != nil {
					f.Close()
					return m[1]
				}
			}
			f.Close()
		}
		time.Sleep(100 * time.Millisecond)
	}
	check(fmt.Errorf("no validation code for %s in %s", email, path))
	return ""
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
