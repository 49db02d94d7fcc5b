// Package photo turns untrusted bytes into a decoded product photo, safely.
//
// Decode reads at most Limits.MaxBytes, recognises the format from its magic
// bytes (JPEG, PNG, GIF and WebP only; GIF gives its first frame), reads the
// header and rejects dimensions over Limits.MaxSide or Limits.MaxPixels before
// any pixel memory is allocated, so decompression bombs (a 50,000×50,000 PNG
// header) cost a few kilobytes. JPEG photos are turned upright from their EXIF
// Orientation tag, read by a small TIFF IFD parser in this package (no
// dependency). The result keeps the original bytes and their SHA-256, the
// content address the store keeps them under.
//
// Every rejection is an *aisle.Error: ETOOLARGE when the bytes or the
// dimensions are over a limit, EINVALID when the bytes are empty, not an
// image, truncated or corrupt; the message says which.
//
// The standard library decodes JPEG, PNG and GIF and golang.org/x/image/webp
// decodes WebP; the package calls each decoder directly and does not use the
// image package's global format registry.
package photo
