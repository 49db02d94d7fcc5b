// Package photo turns untrusted image references and bytes into decoded
// product photos, safely.
//
// ParseRef classifies an image reference without I/O: an upload
// ("sha256:<hash>"), an http(s) URL without credentials, or a file path.
// Fetcher resolves one to its bytes under a size cap: uploads from the
// originals store; URLs only from public addresses (every connection's
// resolved address checked, redirects capped, no proxy, credentials never
// sent) unless allow-listed; files only inside an image folder, symlinks
// resolved, never inside a denied folder such as the server's data
// directory. Its errors never print absolute paths, and failures before a
// response all read alike, so they tell nothing of the file system or
// the internal network.
//
// DecodeContext reads at most Limits.MaxBytes, recognises the format from
// its magic bytes (JPEG, PNG, GIF and WebP only; GIF gives its first
// frame), reads the header and rejects dimensions over Limits.MaxSide or
// Limits.MaxPixels before any pixel memory is allocated, so decompression
// bombs (a 50,000×50,000 PNG header) cost a few kilobytes. It then
// reserves the decode's estimated memory from a Budget shared by every
// decode in the process, so many photos at once wait for their turn
// instead of exhausting memory, and decodes through a reader that stops
// when the context ends. The photo is reduced (Options.Fit) before JPEG
// photos are turned upright from their EXIF Orientation tag, read by a
// small TIFF IFD parser in this package (no dependency). The result keeps
// the original bytes and their SHA-256, the content address the store
// keeps them under. Probe runs the same checks without decoding.
//
// Every rejection is an *aisle.Error: ETOOLARGE when the bytes, the
// dimensions or the memory needed are over a limit, EINVALID when the
// bytes are empty, not an image, truncated or corrupt, EUNAVAILABLE when
// the context ends while waiting for the budget; the message says which.
//
// The standard library decodes JPEG, PNG and GIF and golang.org/x/image/webp
// decodes WebP; the package calls each decoder directly and does not use the
// image package's global format registry.
package photo
