package query

import "testing"

func TestDetectLanguage(t *testing.T) {
	tests := []struct{ s, want string }{
		{"black gel pens", "en"},
		{"黑色 笔", "zh"},
		{"hp 墨盒", "zh"},
		{"コピー用紙", "ja"},
		{"用紙 コピー", "ja"},
		{"볼펜", "ko"},
		{"ручка", "ru"},
		{"قلم", "ar"},
		{"stylo noir pour enfants", "fr"},
		{"kugelschreiber für kinder und schule", "de"},
		{"bolígrafo negro para niños", "es"},
		{"pen for the kids", "en"},
		{"30-50", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := detectLanguage(tt.s); got != tt.want {
			t.Errorf("detectLanguage(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}
