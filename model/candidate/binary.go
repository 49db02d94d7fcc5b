package candidate

import "github.com/aislehq/aisle/internal/modelfile"

// openVersioned opens data as a file of f, or, when it starts with v1's
// magic, as a file of v1, the format's first version, which had no
// version word.
func openVersioned(data []byte, f, v1 modelfile.Format) (*modelfile.Decoder, error) {
	if len(data) >= modelfile.MagicSize && string(data[:modelfile.MagicSize]) == v1.Magic {
		return v1.OpenUnversioned(data)
	}
	return f.Open(data)
}
