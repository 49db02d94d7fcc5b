package assistant

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// containsAny reports whether s (lower case) holds one of words: Latin
// words as whole words (a trailing "s" allowed), Chinese ones anywhere.
func containsAny(s string, words []string) bool {
	for _, w := range words {
		if hasWord(s, w) {
			return true
		}
	}
	return false
}

// hasWord reports whether w occurs in s as a whole word (Chinese: as a
// substring).
func hasWord(s, w string) bool {
	if w == "" {
		return false
	}
	if isHan(w) {
		return strings.Contains(s, w)
	}
	for off := 0; ; {
		i := strings.Index(s[off:], w)
		if i < 0 {
			return false
		}
		i += off
		end := i + len(w)
		if end < len(s) && s[end] == 's' {
			end++
		}
		if (i == 0 || !isWordByte(s[i-1])) && (end == len(s) || !isWordByte(s[end])) {
			return true
		}
		off = i + 1
	}
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= 'A' && b <= 'Z'
}

// isHan reports whether s has a Han character.
func isHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// Unsafe requests are refused; off-topic ones redirected.
var (
	unsafeWords = []string{"bomb", "explosive", "weapon", "handgun", "firearm", "poison", "kill", "hack into", "steal", "drugs", "meth", "suicide", "self-harm",
		"炸弹", "炸药", "武器", "手枪", "枪支", "毒药", "杀", "毒品", "自杀", "黑进"}
	offTopicWords = []string{"weather", "joke", "poem", "president", "election", "politics", "football", "soccer", "recipe", "movie", "song", "capital of", "meaning of life", "homework", "stock price", "which stock", "stock market", "invest", "investment", "crypto", "bitcoin", "horoscope",
		"天气", "笑话", "诗", "总统", "选举", "政治", "足球", "菜谱", "电影", "歌", "股票"}
	humanWords = []string{"human", "real person", "agent", "representative", "someone to talk", "talk to a person", "speak to a person", "operator", "customer service", "manager",
		"人工", "客服", "真人", "转人工"}
	complaintWords = []string{"complaint", "broken", "damaged", "never arrived", "where is my order", "track my order", "my order", "cancel my order", "投诉", "坏了", "我的订单", "没收到"}
	compareWords   = []string{"compare", "comparison", "difference between", "differences", "versus", "vs", "比较", "对比", "区别"}
	similarWords   = []string{"similar", "alternative", "alternatives", "like that", "like this", "like it", "other options", "类似", "相似", "差不多的"}
	recommendWords = []string{"recommend", "suggest", "suggestion", "what should i buy", "surprise me", "for me", "推荐", "建议"}
	cartAddWords   = []string{"add it", "add the", "add that", "add this", "add those", "add them", "to my cart", "to the cart", "to cart", "加入购物车", "加到购物车", "放进购物车"}
	cartWords      = []string{"complete my cart", "complete the cart", "go with", "goes with", "what else do i need", "what else", "accessories", "to go with", "配套", "搭配", "还需要什么"}
	detailWords    = []string{"tell me more", "more about", "tell me about", "what about", "details", "detail", "more info", "describe", "what is it", "详情", "详细", "介绍一下", "介绍"}
	cheaperWords   = []string{"cheaper", "less expensive", "lower price", "cheapest", "budget", "便宜", "更便宜", "实惠"}
	vagueWords     = []string{"something", "anything", "stuff", "a thing", "things", "some", "help", "东西", "帮我", "随便"}
	greetWords     = []string{"hi", "hello", "hey", "good morning", "你好", "您好"}
	thanksWords    = []string{"thanks", "thank you", "谢谢", "多谢"}
)

// fillerList are the Latin words that carry no topic: requests, articles,
// pronouns, constraint and request words.
var fillerList = strings.Fields(`i im i'm me my we you your a an the some any one ones please show find get give need needs want wants
looking look for to buy would like can could do does have has is are am be it its this that these those them they there here
of in on with and or but instead only just also now then too ok okay yes no not what which how about any other another more
let lets let's see see me something anything thing things stuff help new different rather prefer maybe perhaps really very
search searching shop shopping get got good best great nice cool sure well hmm actually else again kind sort type brand brands
color colour colors colours made by from under over below above less than cheaper cheap price priced costing cost dollars dollar usd
tell know info information detail details last recommend recommends recommendation recommendations suggest suggestion suggestions surprise should buy`)

// zhFillers are Chinese request words removed before a topic is read.
var zhFillers = []string{"我想要", "我想买", "我要买", "我需要", "想要", "我想", "我要", "需要", "请", "帮我找", "帮我", "找一下", "找", "给我看看", "给我", "看看", "有没有", "有吗", "一个", "一些", "一款", "的", "吧", "呢", "吗", "了", "只要", "只看", "换成", "改成", "换", "要", "买", "推荐", "个", "款", "那", "这"}

// isFiller reports whether the Latin word w carries no topic.
func isFiller(w string) bool {
	for _, f := range fillerList {
		if w == f {
			return true
		}
	}
	return false
}

// colourWords maps colour words (English and Chinese) to the canonical
// English name search filters by.
var colourWords = []struct{ word, name string }{
	{"黑色", "black"}, {"白色", "white"}, {"蓝色", "blue"}, {"红色", "red"}, {"绿色", "green"}, {"黄色", "yellow"},
	{"粉色", "pink"}, {"粉红色", "pink"}, {"紫色", "purple"}, {"橙色", "orange"}, {"灰色", "gray"}, {"银色", "silver"}, {"棕色", "brown"},
	{"black", "black"}, {"white", "white"}, {"blue", "blue"}, {"red", "red"}, {"green", "green"}, {"yellow", "yellow"},
	{"pink", "pink"}, {"purple", "purple"}, {"orange", "orange"}, {"gray", "gray"}, {"grey", "gray"}, {"silver", "silver"}, {"brown", "brown"},
}

// findColour returns the colour msg names and msg without it.
func findColour(msg string) (string, string) {
	for _, c := range colourWords {
		if hasWord(msg, c.word) {
			return c.name, replaceWord(msg, c.word)
		}
	}
	return "", msg
}

// replaceWord removes the whole-word occurrences of w from s.
func replaceWord(s, w string) string {
	if isHan(w) {
		return strings.ReplaceAll(s, w, " ")
	}
	re := regexp.MustCompile(`\b` + regexp.QuoteMeta(w) + `s?\b`)
	return re.ReplaceAllString(s, " ")
}

var (
	enUnder   = regexp.MustCompile(`\b(?:under|below|less than|cheaper than|at most|up to|max(?:imum)?|no more than)\s*\$?\s*(\d+(?:\.\d+)?)\s*(?:dollars?|usd|bucks)?`)
	enOver    = regexp.MustCompile(`\b(?:over|above|more than|at least|min(?:imum)?)\s*\$?\s*(\d+(?:\.\d+)?)\s*(?:dollars?|usd|bucks)?`)
	enBetween = regexp.MustCompile(`\$?(\d+(?:\.\d+)?)\s*(?:-|to|and)\s*\$?(\d+(?:\.\d+)?)\s*(?:dollars?|usd|bucks)`)
	zhUnder   = regexp.MustCompile(`(\d+(?:\.\d+)?)\s*(?:元|块|美元|刀)?\s*(?:以下|以内|之内|内)|(?:低于|不超过|少于|便宜于)\s*(\d+(?:\.\d+)?)\s*(?:元|块|美元|刀)?`)
	zhOver    = regexp.MustCompile(`(\d+(?:\.\d+)?)\s*(?:元|块|美元|刀)?\s*以上|(?:高于|超过|多于)\s*(\d+(?:\.\d+)?)\s*(?:元|块|美元|刀)?`)
)

// findPrice returns the price bounds msg states and msg without them.
func findPrice(msg string) (lo, hi *float64, rest string) {
	num := func(m []string) *float64 {
		for _, s := range m[1:] {
			if s != "" {
				if v, err := strconv.ParseFloat(s, 64); err == nil {
					return &v
				}
			}
		}
		return nil
	}
	rest = msg
	if m := enBetween.FindStringSubmatch(rest); m != nil {
		lo, hi = num(m[:2]), num([]string{"", m[2]})
		rest = strings.Replace(rest, m[0], " ", 1)
	}
	for _, re := range []*regexp.Regexp{enUnder, zhUnder} {
		if m := re.FindStringSubmatch(rest); m != nil {
			hi = num(m)
			rest = strings.Replace(rest, m[0], " ", 1)
		}
	}
	for _, re := range []*regexp.Regexp{enOver, zhOver} {
		if m := re.FindStringSubmatch(rest); m != nil {
			lo = num(m)
			rest = strings.Replace(rest, m[0], " ", 1)
		}
	}
	return lo, hi, rest
}

// brandCue finds "only X", "by X", "X brand", "from X" and "只要X" and
// returns X ("" for none).
var brandCue = regexp.MustCompile(`(?:\bonly\s+(?:show\s+)?|\bjust\s+|\bmade\s+by\s+|\bby\s+|\bfrom\s+|\bbrand\s+|只要|只看|品牌是?)([\p{L}\d&'.-]+(?:\s+[\p{L}\d&'.-]+)?)`)

var (
	ordinalWords = []struct {
		words []string
		index int // -1 is the last
	}{
		{[]string{"first", "1st", "#1", "number 1", "number one", "第一个", "第一款", "第1个", "第一"}, 0},
		{[]string{"second", "2nd", "#2", "number 2", "number two", "第二个", "第二款", "第2个", "第二"}, 1},
		{[]string{"third", "3rd", "#3", "number 3", "number three", "第三个", "第三款", "第3个", "第三"}, 2},
		{[]string{"fourth", "4th", "#4", "number 4", "第四个", "第4个", "第四"}, 3},
		{[]string{"fifth", "5th", "#5", "number 5", "第五个", "第5个", "第五"}, 4},
		{[]string{"last one", "the last", "最后一个", "最后那个"}, -1},
	}
	itWords    = []string{"it", "this one", "that one", "this", "that", "its", "它", "这个", "那个", "这款", "那款"}
	theseWords = []string{"those", "these", "them", "all of them", "both", "这些", "那些", "它们", "两个", "这几个"}
)
