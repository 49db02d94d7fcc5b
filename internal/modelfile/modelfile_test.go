package modelfile_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"reflect"
	"runtime"
	"testing"

	"github.com/aislehq/aisle/internal/modelfile"
	"github.com/google/go-cmp/cmp"
)

var errTest = errors.New("not a test model")

var testFormat = modelfile.Format{Magic: "AISLTEST", Version: 3, Err: errTest}

// values is one of everything an Encoder writes.
type values struct {
	U8    uint8
	U32   uint32
	I32   int32
	U64   uint64
	I64   int64
	F32   float32
	F64   float64
	S     string
	Bytes []byte
	Bools []bool
	U32s  []uint32
	I32s  []int32
	F32s  []float32
}

func sample(n int) values {
	v := values{U8: 7, U32: 1 << 31, I32: -5, U64: 1 << 63, I64: -1 << 40, F32: -1.5, F64: math.Pi, S: "ünïcode"}
	for i := range n {
		v.Bytes = append(v.Bytes, byte(i))
		v.Bools = append(v.Bools, i%3 == 0)
		v.U32s = append(v.U32s, uint32(i)*7)
		v.I32s = append(v.I32s, -int32(i))
		v.F32s = append(v.F32s, float32(i)/3)
	}
	return v
}

func encode(e *modelfile.Encoder, v values) {
	e.Uint8(v.U8)
	e.Uint32(v.U32)
	e.Int32(v.I32)
	e.Uint64(v.U64)
	e.Int64(v.I64)
	e.Float32(v.F32)
	e.Float64(v.F64)
	e.String(v.S)
	for _, n := range []int{len(v.Bytes), len(v.Bools), len(v.U32s), len(v.I32s), len(v.F32s)} {
		e.Uint32(uint32(n))
	}
	e.Bytes(v.Bytes)
	e.Bools(v.Bools)
	e.Uint32s(v.U32s)
	e.Int32s(v.I32s)
	e.Float32s(v.F32s)
}

func decode(d *modelfile.Decoder) (values, error) {
	v := values{U8: d.Uint8(), U32: d.Uint32(), I32: d.Int32(), U64: d.Uint64(), I64: d.Int64(),
		F32: d.Float32(), F64: d.Float64(), S: d.String(64)}
	var n [5]uint64
	for i := range n {
		n[i] = uint64(d.Uint32())
	}
	v.Bytes, v.Bools, v.U32s, v.I32s, v.F32s = orNil(d.Bytes(n[0])), orNil(d.Bools(n[1])), orNil(d.Uint32s(n[2])), orNil(d.Int32s(n[3])), orNil(d.FiniteFloat32s(n[4]))
	return v, d.Finish()
}

// orNil returns nil for an empty slice, so that values compare with
// reflect.DeepEqual (cmp is too slow for the large samples).
func orNil[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// diff reports how got and want differ, "" when they are equal.
func diff(got, want values) string {
	if reflect.DeepEqual(got, want) {
		return ""
	}
	return cmp.Diff(got, want)
}

func marshal(v values) []byte {
	e := testFormat.NewEncoder(0)
	encode(e, v)
	b, err := e.Finish()
	if err != nil {
		panic(err)
	}
	return b
}

// decodeBoth decodes data in memory and streaming, and checks they agree.
func decodeBoth(t *testing.T, data []byte) (values, error) {
	t.Helper()
	var v1, v2 values
	d, err := testFormat.Open(data)
	if err == nil {
		v1, err = decode(d)
	}
	s, err2 := testFormat.NewReader(bytes.NewReader(data))
	if err2 == nil {
		v2, err2 = decode(s)
	}
	if (err == nil) != (err2 == nil) {
		t.Fatalf("in memory: %v; streaming: %v", err, err2)
	}
	if err == nil {
		// Compared as bytes: a NaN is not equal to itself.
		if !bytes.Equal(marshal(v2), marshal(v1)) {
			t.Fatalf("streaming decodes differently (-got +want):\n%s", diff(v2, v1))
		}
		if d.Version() != testFormat.Version || s.Version() != testFormat.Version {
			t.Errorf("Version = %d, %d, want %d", d.Version(), s.Version(), testFormat.Version)
		}
	}
	return v1, err
}

func TestRoundTrip(t *testing.T) {
	// 200,000 elements pass the streaming chunk and flush sizes.
	for _, n := range []int{0, 3, 200_000} {
		want := sample(n)
		data := marshal(want)
		var buf bytes.Buffer
		w := testFormat.NewWriter(&buf)
		encode(w, want)
		if _, err := w.Finish(); err != nil || w.Written() != int64(len(data)) || !bytes.Equal(buf.Bytes(), data) {
			t.Fatalf("n=%d: NewWriter wrote %d bytes (err %v), differing from NewEncoder's %d", n, w.Written(), err, len(data))
		}
		got, err := decodeBoth(t, data)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if diff := diff(got, want); diff != "" {
			t.Errorf("n=%d (-got +want):\n%s", n, diff)
		}
	}
}

func TestLayout(t *testing.T) {
	for _, f := range []modelfile.Format{testFormat, {Magic: "AISLIEEE", Version: 1, Checksum: modelfile.CRC32IEEE}} {
		e := f.NewEncoder(4)
		e.Uint32(0xdeadbeef)
		got, _ := e.Finish()
		want := []byte(f.Magic)
		want = binary.LittleEndian.AppendUint32(want, f.Version)
		want = binary.LittleEndian.AppendUint32(want, 0xdeadbeef)
		want = binary.LittleEndian.AppendUint32(want, f.Checksum.Sum(want))
		if !bytes.Equal(got, want) {
			t.Errorf("%s: file %x, want %x", f.Magic, got, want)
		}
	}
}

// reseal returns b with its checksum recomputed.
func reseal(b []byte) []byte {
	b = bytes.Clone(b)
	binary.LittleEndian.PutUint32(b[len(b)-4:], testFormat.Checksum.Sum(b[:len(b)-4]))
	return b
}

func TestDecodeErrors(t *testing.T) {
	good := marshal(sample(5))
	put := func(at int, v uint32) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint32(b[at:], v)
		return reseal(b)
	}
	// Offsets: magic 8, version 4, u8 1, u32 4, i32 4, u64 8, i64 8, f32 4,
	// f64 8, string 4+len, then the five slice lengths.
	strAt := 8 + 4 + 1 + 4 + 4 + 8 + 8 + 4 + 8
	lensAt := strAt + 4 + len(sample(0).S)
	tests := []struct {
		name string
		data []byte
		kind error
	}{
		{"empty", nil, modelfile.ErrCorrupt},
		{"magic only", []byte(testFormat.Magic), modelfile.ErrCorrupt},
		{"bad magic", reseal(append([]byte("AISLXXXX"), good[8:]...)), modelfile.ErrCorrupt},
		{"bad checksum", append(bytes.Clone(good[:len(good)-1]), good[len(good)-1]^1), modelfile.ErrCorrupt},
		{"older version", put(8, 2), modelfile.ErrVersion},
		{"newer version", put(8, 4), modelfile.ErrVersion},
		{"truncated", reseal(good[:len(good)-5]), modelfile.ErrCorrupt},
		{"trailing byte", reseal(append(bytes.Clone(good[:len(good)-4]), 0, 0, 0, 0, 0)), modelfile.ErrCorrupt},
		{"long string", put(strAt, 65), modelfile.ErrCorrupt},
		{"string past end", put(strAt, 64), modelfile.ErrCorrupt},
		{"huge bytes", put(lensAt, math.MaxUint32), modelfile.ErrCorrupt},
		{"huge float32s", put(lensAt+16, math.MaxUint32), modelfile.ErrCorrupt},
		{"NaN float32", put(len(good)-8, 0x7fc00000), modelfile.ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeBoth(t, tt.data)
			if !errors.Is(err, tt.kind) || !errors.Is(err, errTest) {
				t.Errorf("error %v, want one wrapping %v and the format's Err", err, tt.kind)
			}
		})
	}
}

// TestHugeLength checks that a length near 2⁶⁴ allocates nothing large.
func TestHugeLength(t *testing.T) {
	e := testFormat.NewEncoder(0)
	e.Uint64(math.MaxUint64 / 4)
	data, _ := e.Finish()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for _, d := range []func() (*modelfile.Decoder, error){
		func() (*modelfile.Decoder, error) { return testFormat.Open(data) },
		func() (*modelfile.Decoder, error) { return testFormat.NewReader(bytes.NewReader(data)) },
	} {
		d, err := d()
		if err != nil {
			t.Fatal(err)
		}
		if v := d.Float32s(d.Uint64()); v != nil || !errors.Is(d.Finish(), modelfile.ErrCorrupt) {
			t.Errorf("Float32s(huge) = %d values, Finish %v; want nil and ErrCorrupt", len(v), d.Finish())
		}
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
		t.Errorf("decoding a huge length allocated %d bytes", grew)
	}
}

func TestOpenUnversioned(t *testing.T) {
	old := modelfile.Format{Magic: "AISLOLD1", Checksum: modelfile.CRC32IEEE, Err: errTest}
	data := binary.LittleEndian.AppendUint32([]byte(old.Magic), 42)
	data = binary.LittleEndian.AppendUint32(data, old.Checksum.Sum(data))
	d, err := old.OpenUnversioned(data)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := d.Uint32(), d.Finish(); v != 42 || err != nil || d.Version() != 0 {
		t.Errorf("read %d (version %d), %v; want 42 (version 0), nil", v, d.Version(), err)
	}
	data[8]++
	if _, err := old.OpenUnversioned(data); !errors.Is(err, modelfile.ErrCorrupt) {
		t.Errorf("corrupt: %v, want ErrCorrupt", err)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

func TestWriterError(t *testing.T) {
	boom := errors.New("disk full")
	e := testFormat.NewWriter(failWriter{boom})
	encode(e, sample(300_000))
	if _, err := e.Finish(); !errors.Is(err, boom) {
		t.Errorf("Finish = %v, want %v", err, boom)
	}
}

func TestReaderError(t *testing.T) {
	boom := errors.New("network down")
	data := marshal(sample(10))
	r := io.MultiReader(bytes.NewReader(data[:30]), iotestErr{boom})
	d, err := testFormat.NewReader(r)
	if err == nil {
		_, err = decode(d)
	}
	if !errors.Is(err, boom) {
		t.Errorf("error %v, want %v", err, boom)
	}
}

type iotestErr struct{ err error }

func (r iotestErr) Read([]byte) (int, error) { return 0, r.err }

// FuzzDecode decodes arbitrary data as the test format, in memory and
// streaming: no panic, the same outcome, and what decodes re-encodes to
// the same bytes.
func FuzzDecode(f *testing.F) {
	for _, n := range []int{0, 2, 9} {
		f.Add(marshal(sample(n)))
	}
	f.Add([]byte(testFormat.Magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, b := range [][]byte{data, resealed(data)} {
			v, err := decodeBoth(t, b)
			if err != nil {
				if !errors.Is(err, errTest) {
					t.Fatalf("error %v does not wrap the format's Err", err)
				}
				continue
			}
			if again := marshal(v); !bytes.Equal(again, b) {
				t.Fatalf("decoded data re-encodes differently")
			}
		}
	})
}

// resealed returns data with a right checksum, so fuzzing reaches past it.
func resealed(data []byte) []byte {
	if len(data) < 4 {
		return data
	}
	return reseal(data)
}
