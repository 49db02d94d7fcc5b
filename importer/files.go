package importer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// maxLineBytes bounds one line of a line-oriented file. Longer lines are
// rejected as rows (and skipped); they cannot hold a valid record anyway,
// since the largest fields are 64 KiB.
const maxLineBytes = 4 << 20

// errLineTooLong is the reason given for a line over maxLineBytes.
var errLineTooLong = fmt.Errorf("line longer than %d bytes", maxLineBytes)

// file is an opened input file. Reading it counts the bytes taken from the
// disk (before decompression) into the meter, which drives progress.
type file struct {
	f    *os.File
	r    io.Reader // decompressed content
	gz   *gzip.Reader
	size int64 // bytes on disk
}

// openFile opens path for reading, transparently decompressing gzip (found
// by its magic number, not its name). m may be nil.
func openFile(path string, m *meter) (*file, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("open %s: is a directory", path)
	}
	br := bufio.NewReaderSize(&countingReader{r: f, m: m}, 64<<10)
	out := &file{f: f, r: br, size: st.Size()}
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("open %s: gzip: %w", path, err)
		}
		out.gz, out.r = gz, gz
	}
	return out, nil
}

// Close closes the file.
func (f *file) Close() error {
	if f.gz != nil {
		f.gz.Close()
	}
	return f.f.Close()
}

// fileSize returns the size of path on disk, or 0 if it cannot be read.
func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// countingReader adds the bytes it reads to a meter.
type countingReader struct {
	r io.Reader
	m *meter
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.m.add(int64(n))
	return n, err
}

// lineReader splits a stream into lines, without the line ending, counting
// them from 1. A UTF-8 byte order mark at the start is dropped.
type lineReader struct {
	r    *bufio.Reader
	line int
	buf  []byte
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next line and its number. The slice is valid until the
// next call. At the end it returns io.EOF; a line over maxLineBytes is
// skipped and reported as errLineTooLong (reading may go on after it).
func (l *lineReader) next() ([]byte, int, error) {
	l.buf = l.buf[:0]
	tooLong := false
	for {
		chunk, err := l.r.ReadSlice('\n')
		if !tooLong {
			if len(l.buf)+len(chunk) > maxLineBytes+2 {
				tooLong = true
				l.buf = l.buf[:0]
			} else {
				l.buf = append(l.buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && (err != io.EOF || (len(l.buf) == 0 && !tooLong)) {
			return nil, l.line, err
		}
		break
	}
	l.line++
	if tooLong {
		return nil, l.line, errLineTooLong
	}
	line := bytes.TrimSuffix(l.buf, []byte{'\n'})
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if l.line == 1 {
		line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
	}
	return line, l.line, nil
}

// lineIndex turns byte offsets of an in-memory file into 1-based line
// numbers. Offsets must be asked for in increasing order for speed; asking
// for an earlier one restarts the count.
type lineIndex struct {
	data []byte
	off  int
	line int
}

func newLineIndex(data []byte) *lineIndex { return &lineIndex{data: data, line: 1} }

// lineAt returns the line holding byte offset off.
func (x *lineIndex) lineAt(off int64) int {
	o := int(min(max(off, 0), int64(len(x.data))))
	if o < x.off {
		x.off, x.line = 0, 1
	}
	x.line += bytes.Count(x.data[x.off:o], []byte{'\n'})
	x.off = o
	return x.line
}

// listDir returns the names of the regular files in dir, sorted.
func listDir(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// globOne returns the single file in dir whose name ends with suffix, ""
// if there is none, or an error naming them if there are several.
func globOne(dir string, names []string, suffix string) (string, error) {
	var found []string
	for _, n := range names {
		if strings.HasSuffix(n, suffix) {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return filepath.Join(dir, found[0]), nil
	}
	return "", fmt.Errorf("%s: several *%s files (%s): name one", dir, suffix, strings.Join(found, ", "))
}

// isDir reports whether path is a directory; it returns the Stat error if
// path cannot be read.
func isDir(path string) (bool, error) {
	st, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return st.IsDir(), nil
}
