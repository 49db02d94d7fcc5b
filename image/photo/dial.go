package photo

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"time"
)

// maxRedirects is how many redirects the Fetcher's own client follows.
const maxRedirects = 3

// httpClient returns f.Client, or the Fetcher's own client, made once.
func (f *Fetcher) httpClient() *http.Client {
	f.once.Do(func() {
		if f.Client != nil {
			f.client = f.Client
			return
		}
		f.client = newClient(newAddressPolicy(f.AllowHosts))
	})
	return f.client
}

// newClient returns an HTTP client that connects only where p allows,
// through no proxy, following at most maxRedirects redirects to http(s)
// URLs without their credentials.
func newClient(p *addressPolicy) *http.Client {
	checked := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: p.control}
	open := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	t := &http.Transport{
		// No proxy, whatever HTTP_PROXY says: a proxy would connect on
		// our behalf, past the address checks.
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if host, _, err := net.SplitHostPort(addr); err == nil && p.allowsName(host) {
				return open.DialContext(ctx, network, addr)
			}
			return checked.DialContext(ctx, network, addr)
		},
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    10 * time.Second,
		MaxIdleConns:           32,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        30 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{Transport: t, CheckRedirect: checkRedirect}
}

// redirectError is a redirect the Fetcher's client will not follow; msg
// says why, for the client.
type redirectError struct{ msg string }

func (e *redirectError) Error() string { return "photo: " + e.msg }

// checkRedirect follows at most maxRedirects redirects, to http and https
// only, and drops any user:password@ the new location carries (net/http
// would send it as basic authentication).
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return &redirectError{fmt.Sprintf("the server redirected more than %d times", maxRedirects)}
	}
	if s := req.URL.Scheme; s != "http" && s != "https" {
		return &redirectError{"the server redirected to an address that is not http(s)"}
	}
	req.URL.User = nil
	req.Header.Del("Authorization")
	return nil
}

// addressPolicy decides which addresses the Fetcher's client may connect
// to: public addresses on ports that are not bad ports, and whatever
// AllowHosts names.
type addressPolicy struct {
	names map[string]bool
	nets  []netip.Prefix
}

// newAddressPolicy returns the policy allowing the entries of allow as
// Fetcher.AllowHosts describes them.
func newAddressPolicy(allow []string) *addressPolicy {
	p := &addressPolicy{names: map[string]bool{}}
	for _, h := range allow {
		switch kind, pfx, name := parseAllowHost(h); kind {
		case allowNet:
			p.nets = append(p.nets, pfx)
		case allowName:
			p.names[name] = true
		}
	}
	return p
}

// Kinds of AllowHosts entry.
const (
	allowBad = iota
	allowNet
	allowName
)

// parseAllowHost classifies one AllowHosts entry: a network (an address
// is a network of one), a host name, or neither.
func parseAllowHost(h string) (kind int, pfx netip.Prefix, name string) {
	h = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
	if p, err := netip.ParsePrefix(h); err == nil {
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), max(0, p.Bits()-96))
		}
		return allowNet, p.Masked(), ""
	}
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")); err == nil {
		a = a.Unmap().WithZone("")
		return allowNet, netip.PrefixFrom(a, a.BitLen()), ""
	}
	if validHostName(h) {
		return allowName, netip.Prefix{}, h
	}
	return allowBad, netip.Prefix{}, ""
}

// validHostName reports whether h is a DNS name: dot-separated labels of
// lower-case letters, digits, hyphens and underscores, none starting or
// ending with a hyphen.
func validHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// ValidateAllowHosts returns an error naming the first entry of hosts
// that is not an IP address, a CIDR network or a host name (see
// Fetcher.AllowHosts).
func ValidateAllowHosts(hosts []string) error {
	for _, h := range hosts {
		if kind, _, _ := parseAllowHost(h); kind == allowBad {
			return fmt.Errorf("%q is not an IP address, a CIDR network (10.0.0.0/8) or a host name", h)
		}
	}
	return nil
}

// allowsName reports whether host (a URL's host, not yet resolved) is
// allowed by name.
func (p *addressPolicy) allowsName(host string) bool {
	return len(p.names) > 0 && p.names[strings.TrimSuffix(strings.ToLower(host), ".")]
}

// allowsAddr reports whether a is in an allowed network.
func (p *addressPolicy) allowsAddr(a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	return slices.ContainsFunc(p.nets, func(n netip.Prefix) bool { return n.Contains(a) })
}

// refusedError is a connection the address policy refused.
type refusedError struct {
	addr, why string
}

func (e *refusedError) Error() string {
	return fmt.Sprintf("photo: connecting to %s is not allowed: %s", e.addr, e.why)
}

// control is the net.Dialer's Control hook: it runs for every connection
// with the address actually dialled, after DNS resolution.
func (p *addressPolicy) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &refusedError{address, "not an IP address and port"}
	}
	switch a := ap.Addr(); {
	case p.allowsAddr(a):
		return nil
	case !publicAddr(a):
		return &refusedError{address, "not a public address (allow it with AllowHosts)"}
	case badPort(ap.Port()):
		return &refusedError{address, "a port browsers do not fetch from"}
	}
	return nil
}

// Special-purpose IPv4 networks no photo is fetched from (RFC 6890 and
// its updates), beside those netip.Addr's methods recognise.
var blocked4 = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (CGNAT)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1
	netip.MustParsePrefix("192.88.99.0/24"),  // 6to4 relay anycast
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the broadcast address
}

// IPv6 networks with an IPv4 address inside, checked as that address.
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96") // the IPv4 address in the last 32 bits
	sixToFour = netip.MustParsePrefix("2002::/16")    // the IPv4 address in bits 16–47
	global6   = netip.MustParsePrefix("2000::/3")     // global unicast
)

// Special-purpose networks inside global unicast IPv6.
var blocked6 = []netip.Prefix{
	netip.MustParsePrefix("2001::/23"),     // IETF protocol assignments (Teredo, ORCHID, benchmarking)
	netip.MustParsePrefix("2001:db8::/32"), // documentation
	netip.MustParsePrefix("3fff::/20"),     // documentation
}

// publicAddr reports whether a is a public unicast address, one the
// Fetcher's own client may connect to without AllowHosts: not loopback,
// private, link-local, unspecified, multicast, broadcast, shared,
// reserved or documentation, in IPv4 or any IPv6 form of it
// (IPv4-mapped, NAT64, 6to4), and in IPv6 only global unicast.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if a.Is4() {
		return public4(a)
	}
	if !a.Is6() || a.Zone() != "" {
		return false
	}
	b := a.As16()
	switch {
	case nat64.Contains(a):
		return public4(netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(a):
		return public4(netip.AddrFrom4([4]byte(b[2:6])))
	case !global6.Contains(a):
		return false
	}
	return !slices.ContainsFunc(blocked6, func(n netip.Prefix) bool { return n.Contains(a) })
}

// public4 reports whether the IPv4 address a is public unicast.
func public4(a netip.Addr) bool {
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	return !slices.ContainsFunc(blocked4, func(n netip.Prefix) bool { return n.Contains(a) })
}

// badPorts are the ports browsers refuse to fetch from (the WHATWG Fetch
// standard's "bad port" list): mail, shell, file sharing, chat and other
// protocols an HTTP request could be smuggled into.
var badPorts = []uint16{
	0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95,
	101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161,
	179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563,
	587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060,
	5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
}

// badPort reports whether port is one of badPorts.
func badPort(port uint16) bool {
	_, found := slices.BinarySearch(badPorts, port)
	return found
}
