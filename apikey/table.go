package apikey

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/aislehq/aisle"
)

// WriteTable writes keys to w as an aligned table for people (aisle keys
// list): id, role, name, shopper, when made and when revoked, "-" for
// what is not set. Secrets are never part of a Key.
func WriteTable(w io.Writer, keys []aisle.Key) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tROLE\tNAME\tSHOPPER\tCREATED\tREVOKED")
	for _, k := range keys {
		revoked := "-"
		if k.Revoked() {
			revoked = k.RevokedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Role, dash(k.Name), dash(k.User), k.CreatedAt.Format(time.RFC3339), revoked)
	}
	return tw.Flush()
}

// dash is s, or "-" when it is empty.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
