package copywriter

import "strings"

// zhWords translates common attribute words (canonical colour and
// material names as package extract writes them, and category names) into
// Chinese. Colours avoid forms holding another colour's word ("粉红色"
// holds "红色"), so the claim checker reads back the colour meant.
var zhWords = map[string]string{
	// Colours.
	"black": "黑色", "white": "白色", "red": "红色", "blue": "蓝色", "green": "绿色",
	"yellow": "黄色", "orange": "橙色", "purple": "紫色", "pink": "粉色", "brown": "棕色",
	"gray": "灰色", "silver": "银色", "gold": "金色", "beige": "米色", "clear": "透明",
	"navy blue": "藏青色", "rose gold": "玫瑰金", "sky blue": "天蓝", "light blue": "浅蓝",
	"dark blue": "深蓝", "royal blue": "宝蓝", "light gray": "浅灰", "dark gray": "深灰",
	"hot pink": "亮粉", "light pink": "浅粉", "lime green": "青柠绿", "forest green": "墨绿",
	"dark green": "深绿", "light green": "浅绿", "kelly green": "翠绿", "off-white": "米白",
	"ivory": "象牙白", "cream": "奶油白", "teal": "青绿", "turquoise": "绿松石", "maroon": "栗红",
	"burgundy": "酒红", "violet": "紫罗兰", "magenta": "洋红", "cyan": "青", "lavender": "薰衣草紫",
	"aqua": "水蓝", "charcoal": "炭灰", "graphite": "石墨灰", "platinum": "铂金", "bronze": "古铜",
	"khaki": "卡其", "coral": "珊瑚红", "fuchsia": "紫红", "indigo": "靛蓝", "olive": "橄榄绿",
	"mint": "薄荷绿", "tan": "棕褐", "space gray": "深空灰",
	// Materials.
	"plastic": "塑料", "stainless steel": "不锈钢", "metal": "金属", "aluminum": "铝合金",
	"wood": "木质", "leather": "皮革", "faux leather": "人造革", "glass": "玻璃", "cotton": "棉质",
	"silicone": "硅胶", "rubber": "橡胶", "acrylic": "亚克力", "nylon": "尼龙", "ceramic": "陶瓷",
	"steel": "钢", "iron": "铁", "brass": "黄铜", "chrome": "镀铬", "titanium": "钛",
	"bamboo": "竹", "bonded leather": "再生皮", "polyester": "涤纶", "canvas": "帆布",
	"fabric": "织物", "felt": "毛毡", "cork": "软木", "cardboard": "纸板", "fiberboard": "纤维板",
	"foam": "泡沫", "microfiber": "超细纤维", "fleece": "抓绒", "satin": "缎面", "wool": "羊毛",
	"marble": "大理石", "vinyl": "乙烯基", "pvc": "PVC", "polypropylene": "聚丙烯",
	"polyethylene": "聚乙烯", "carbon steel": "碳钢",
	// Category words (lower case).
	"office products": "办公用品", "office & school supplies": "办公及学习用品",
	"office electronics": "办公电子产品", "telephones & accessories": "电话及配件",
	"cordless telephones": "无绳电话", "corded telephones": "有线电话",
	"writing & correction supplies": "书写及修正用品", "pens & refills": "笔及笔芯", "pens": "笔",
	"pencils": "铅笔", "markers": "马克笔", "highlighters": "荧光笔", "paper": "纸张",
	"labels": "标签", "binders": "活页夹", "folders": "文件夹", "envelopes": "信封",
	"notebooks": "笔记本", "staplers": "订书机", "scissors": "剪刀", "tape": "胶带",
	"calculators": "计算器", "printers": "打印机", "ink & toner": "墨水及硒鼓",
	"mouse pads": "鼠标垫", "shredders": "碎纸机", "calendars": "日历", "desk accessories & workspace organizers": "桌面配件及收纳",
	"filing products": "文件归档用品", "paper & printable media": "纸张及打印介质",
	"labels, indexes & stamps": "标签、索引及印章", "cutting & measuring devices": "切割及测量工具",
	"envelopes, mailers & shipping supplies": "信封、邮寄及运输用品", "education & crafts": "教育及手工",
	"presentation boards": "展示板", "staplers & punches": "订书机及打孔器",
}

// zh returns the Chinese for a fact value when the table has it, else the
// value as it is (brands, model numbers, unknown words).
func zh(v string) string {
	if t, ok := zhWords[strings.ToLower(v)]; ok {
		return t
	}
	return v
}
