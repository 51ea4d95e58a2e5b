package wire

import "testing"

var benchValue = []byte(`{"type":"msm","data":{"en":"example","m":"echo","cid":"11111111-1111-4111-8111-111111111111","p":"input","o":{"className":"String","data":"the quick brown fox jumps over the lazy dog"}}}`)

func BenchmarkParseMessage(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseMessage(benchValue); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchValue); err != nil {
			b.Fatal(err)
		}
	}
}
