package profile_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/profile"
)

// shelf is a two-item catalog.
type shelf map[string]aisle.Item

func (s shelf) Item(id string) (aisle.Item, bool) { it, ok := s[id]; return it, ok }

func Example() {
	items := shelf{
		"tze-231": {ID: "tze-231", Brand: "Brother", Categories: []string{"Labels", "Label Tapes"}},
		"g2-07":   {ID: "g2-07", Brand: "Pilot", Categories: []string{"Pens", "Gel Pens"}},
	}
	b := profile.New(profile.Config{}, items, nil, nil)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	b.Observe([]aisle.Event{
		{User: "ana", Item: "tze-231", Type: aisle.EventPurchase, Time: at},
		{User: "ana", Item: "g2-07", Type: aisle.EventView, Time: at.Add(time.Hour)},
		{User: "ana", Type: aisle.EventSearch, Query: "Label tape 12mm", Time: at.Add(2 * time.Hour)},
	})
	if err := b.Exclude("ana", "category:Pens"); err != nil {
		fmt.Println(err)
		return
	}
	v, _ := b.Profile("ana")
	fmt.Println(profile.Summary(v, "en"))
	fmt.Println(profile.Summary(v, "zh"))
	top, _ := json.Marshal(v.Tags[0])
	fmt.Println(string(top))
	// Output:
	// Mostly Label Tapes; brand Brother
	// 主要购买Label Tapes；常选品牌Brother。
	// {"id":"brand:Brother","kind":"brand","value":"Brother","weight":0.9959,"support":[{"type":"purchase","item":"tze-231","time":"2026-03-02T09:00:00Z"}]}
}
