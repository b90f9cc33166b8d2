package strictyaml

import "testing"

func TestSuggest(t *testing.T) {
	keys := []string{"cursor_path", "param", "url_path", "limit_param", "limit"}
	tests := []struct {
		name, word string
		candidates []string
		want       string
	}{
		{"one deletion", "cursor_pth", keys, "cursor_path"},
		{"case ignored", "CURSOR_PATH", keys, "cursor_path"},
		{"short word", "limt", keys, "limit"},
		{"substitution", "parm", keys, "param"},
		{"transposition counts once", "fromat", []string{"sink", "format", "s3"}, "format"},
		{"transposition in a short word", "evn", []string{"env", "file", "aws-sm"}, "env"},
		{"two letters", "s4", []string{"s3", "file"}, "s3"},
		{"extra letter", "tweet", []string{"tweets", "users"}, "tweets"},
		{"first of equals wins", "ab", []string{"ac", "ad"}, "ac"},
		{"too far", "zzz", keys, ""},
		{"one letter never", "x", []string{"y", "xy"}, ""},
		{"whole word replaced", "ab", []string{"cd"}, ""},
		{"a third of the word", "yyyy-mm-dd", []string{"yyyymmdd", "unix"}, "yyyymmdd"},
		{"more than a third", "lookback", []string{"lookback_days", "timeout"}, ""},
		{"runes not bytes", "ümlaut", []string{"umlaut"}, "umlaut"},
		{"no candidates", "name", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Suggest(tt.word, tt.candidates); got != tt.want {
				t.Errorf("Suggest(%q, %q) = %q, want %q", tt.word, tt.candidates, got, tt.want)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "abc", 3}, {"same", "same", 0},
		{"kitten", "sitting", 3}, {"evn", "env", 1}, {"ab", "ba", 1}, {"ca", "abc", 3},
		{"日本", "日本語", 1},
	}
	for _, tt := range tests {
		t.Run(tt.a+"→"+tt.b, func(t *testing.T) {
			if got := editDistance(tt.a, tt.b); got != tt.want {
				t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestHints(t *testing.T) {
	formats := []string{"parquet", "jsonl"}
	tests := []struct {
		name, got, want string
	}{
		{"did you mean", DidYouMean("parqet", formats), ` (did you mean "parquet"?)`},
		{"did you mean nothing close", DidYouMean("csv", formats), ""},
		{"hint typo", Hint("jsnl", formats, "use parquet or jsonl"), ` (did you mean "jsonl"?)`},
		{"hint otherwise", Hint("csv", formats, "use parquet or jsonl"), " (use parquet or jsonl)"},
		{"or list none", OrList(nil), ""},
		{"or list one", OrList([]string{"a"}), "a"},
		{"or list two", OrList([]string{"a", "b"}), "a or b"},
		{"or list three", OrList([]string{"a", "b", "c"}), "a, b or c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}
