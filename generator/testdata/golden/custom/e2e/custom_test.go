// Package e2e checks custom classes in generated code: their JSON inside
// models (full and protocol forms, both directions) and in calls through
// the generated Go client.
package e2e

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gopod/gopod/generator"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/db/dbtest"
	"github.com/gopod/gopod/runtime/migrate"
	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/wire"

	"custom/client"
	"custom/generated/dispatch"
	"custom/generated/protocol"
	"custom/shared"
)

func price() protocol.Price {
	return protocol.Price{
		Amount:   shared.Money{Cents: 1234, Currency: "EUR"},
		History:  []shared.Money{{Cents: 5, Currency: "EUR"}},
		ByRegion: map[string]shared.Money{"de": {Cents: 100, Currency: "EUR"}},
		Secret:   &shared.Secret{Label: "l", Value: "v"},
	}
}

func TestJSON(t *testing.T) {
	p := price()
	for _, tc := range []struct {
		protocol bool
		want     string
	}{
		{false, `{"amount":"12.34 EUR","history":["0.05 EUR"],"byRegion":{"de":"1.00 EUR"},"secret":{"label":"l","value":"v"}}`},
		{true, `{"amount":"12.34 EUR","history":["0.05 EUR"],"byRegion":{"de":"1.00 EUR"},"secret":{"label":"l"}}`},
	} {
		e := wire.NewEncoder(tc.protocol)
		wire.EncodeModel(e, p)
		got, err := e.Bytes()
		if err != nil || string(got) != tc.want {
			t.Errorf("protocol=%v: %s, %v\nwant %s", tc.protocol, got, err, tc.want)
		}
	}
	var back protocol.Price
	if err := wire.UnmarshalModel([]byte(`{"amount":"12.34 EUR","discount":"1.00 EUR","history":[],"secret":{"label":"l","value":"v"}}`), &back); err != nil {
		t.Fatal(err)
	}
	if back.Amount.Cents != 1234 || back.Discount == nil || back.Discount.Cents != 100 || back.Secret.Value != "v" {
		t.Errorf("decoded %+v", back)
	}
	if err := wire.UnmarshalModel([]byte(`{"amount":"12 EUR","history":[]}`), &back); err == nil {
		t.Error("a malformed custom value decoded")
	}
	v, err := protocol.Registry().Decode("Money", "0.99 USD")
	if m, ok := v.(shared.Money); err != nil || !ok || m.Cents != 99 {
		t.Errorf("registry: %#v, %v", v, err)
	}
}

func TestCalls(t *testing.T) {
	srv := httptest.NewServer(pod.NewServer(dispatch.New(), pod.WithLogger(slog.New(slog.DiscardHandler))))
	defer srv.Close()
	c := client.New(srv.URL)
	ctx := context.Background()

	doubled, err := c.Prices.Double(ctx, shared.Money{Cents: 150, Currency: "EUR"})
	if err != nil || doubled != (shared.Money{Cents: 300, Currency: "EUR"}) {
		t.Errorf("double: %+v, %v", doubled, err)
	}
	cheapest, err := c.Prices.Cheapest(ctx, []shared.Money{{Cents: 9, Currency: "EUR"}, {Cents: 3, Currency: "EUR"}})
	if err != nil || cheapest == nil || cheapest.Cents != 3 {
		t.Errorf("cheapest: %+v, %v", cheapest, err)
	}
	none, err := c.Prices.Cheapest(ctx, nil)
	if err != nil || none != nil {
		t.Errorf("cheapest of none: %+v, %v", none, err)
	}
	in := client.Price{Amount: shared.Money{Cents: 1, Currency: "EUR"}, History: []shared.Money{}, Secret: &shared.Secret{Label: "l", Value: "v"}}
	out, err := c.Prices.Echo(ctx, in)
	// The server answers in the protocol form: the secret's value stays
	// on the server.
	want := in
	want.Secret = &shared.Secret{Label: "l"}
	if err != nil || !reflect.DeepEqual(out, want) {
		t.Errorf("echo: %+v, %v", out, err)
	}

	// Streams of custom classes, over /v1/websocket.
	amounts := func(yield func(*shared.Money, error) bool) {
		for _, m := range []*shared.Money{{Cents: 2, Currency: "EUR"}, nil} {
			if !yield(m, nil) {
				return
			}
		}
	}
	var got []*shared.Money
	for m, err := range c.Prices.Doubled(ctx, amounts) {
		if err != nil {
			t.Fatalf("doubled: %v", err)
		}
		got = append(got, m)
	}
	if len(got) != 2 || got[0] == nil || got[0].Cents != 4 || got[1] != nil {
		t.Errorf("doubled streamed %+v", got)
	}
	lists := func(yield func([]shared.Money, error) bool) {
		yield([]shared.Money{{Cents: 1, Currency: "EUR"}, {Cents: 2, Currency: "EUR"}}, nil)
	}
	for total, err := range c.Prices.Totals(ctx, lists) {
		if err != nil || total.Cents != 3 {
			t.Errorf("totals: %+v, %v", total, err)
		}
	}
}

// TestTable stores custom classes in the JSON columns of a table created
// by gopod create-migration, and reads them back.
func TestTable(t *testing.T) {
	ctx := context.Background()
	url, drop, err := dbtest.Create(ctx, "custom_e2e")
	if err != nil {
		t.Fatal(err)
	}
	defer drop()
	dir := t.TempDir()
	for _, p := range []string{"config", "models", "go.mod"} {
		if err := os.CopyFS(filepath.Join(dir, p), os.DirFS(filepath.Join("..", p))); err != nil {
			b, rerr := os.ReadFile(filepath.Join("..", p)) // go.mod is a file
			if rerr != nil || os.WriteFile(filepath.Join(dir, p), b, 0o644) != nil {
				t.Fatalf("copying %s: %v", p, err)
			}
		}
	}
	if _, err := generator.CreateMigration(ctx, generator.MigrationOptions{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := migrate.New(pool, os.DirFS(dir), "custom").Apply(ctx); err != nil {
		t.Fatal(err)
	}
	conn := db.New(pool).With(ctx)
	in := price()
	in.Discount = &shared.Money{Cents: 50, Currency: "EUR"}
	row, err := db.InsertRow(conn, protocol.PriceDB, in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.FindByID(conn, protocol.PriceDB, *row.ID)
	in.ID = row.ID
	if err != nil || got == nil || !reflect.DeepEqual(*got, in) {
		t.Errorf("read back %+v, %v\nwant %+v", got, err, in)
	}
}
