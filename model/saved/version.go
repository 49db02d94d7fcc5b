package saved

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aislehq/aisle/internal/durable"

	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/fusion"
	"github.com/aislehq/aisle/model/rank"
	"github.com/aislehq/aisle/text/ngram"
)

// Meta describes a saved model version. Its JSON form is meta.json.
type Meta struct {
	Version   string    `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	// Items maps the models' item indices to catalog ids.
	Items   []string     `json:"items"`
	Members []MemberMeta `json:"members"`
	// Encoder is the file of the text encoder behind the content model
	// ("" when there is none).
	Encoder string `json:"encoder,omitempty"`
	// Fusion is the file of the multimodal fusion model behind the content
	// model's item vectors ("" when they are the text vectors alone).
	Fusion string `json:"fusion,omitempty"`
	// Ranker is the file of the second-stage ranker over the blend (""
	// when validation chose the blend alone), and RankerValidNDCG10 its
	// NDCG@10 on the validation cases held out to choose it.
	Ranker            string  `json:"ranker,omitempty"`
	RankerValidNDCG10 float64 `json:"ranker_valid_ndcg@10,omitempty"`
	// ContentVectors is what the content model's item vectors are
	// (VectorsText or VectorsFused; "" without a content model).
	ContentVectors string `json:"content_vectors,omitempty"`
	// Weights are the blend weights learned on validation, by model name.
	Weights map[string]float64 `json:"weights"`
	// ValidNDCG10 is the blended ranking's NDCG@10 on the validation items
	// (the second-to-last interaction of each user), the number a new
	// version must not fall below to replace this one.
	ValidNDCG10 float64 `json:"valid_ndcg@10"`
	// Candidates is how many items each proposing model adds to the
	// candidates serving ranks.
	Candidates   int    `json:"candidates"`
	Users        int    `json:"users"`
	Interactions int    `json:"interactions"`
	Seed         uint64 `json:"seed"`
}

// MemberMeta describes one saved model of a version.
type MemberMeta struct {
	Name         string  `json:"name"`
	File         string  `json:"file"`
	TrainSeconds float64 `json:"train_seconds"`
}

// Files of a version's folder besides the members'.
const (
	metaFile    = "meta.json"
	encoderFile = "encoder.bin"
	rankerFile  = "ranker.bin"
	fusionFile  = "fusion.bin"
)

// ErrNoModel is returned by Latest when no version has been saved.
var ErrNoModel = errors.New("saved: no saved model")

// Save writes set and meta as a new version under dir (dir/VERSION/), the
// version named for now (UTC, to the microsecond). Every file and the
// folder are synced before the folder is renamed into place, and the
// rename is synced: a version is visible only once complete and durable,
// and a crash leaves at most a hidden temporary folder behind.
func Save(dir string, set *Set, meta *Meta, now time.Time) (string, error) {
	meta.CreatedAt = now.UTC()
	meta.Version = meta.CreatedAt.Format("20060102T150405.000000Z")
	tmp := filepath.Join(dir, ".tmp-"+meta.Version)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return "", fmt.Errorf("save model: %w", err)
	}
	defer os.RemoveAll(tmp)
	write := func(name string, m encoding.BinaryMarshaler) error {
		b, err := m.MarshalBinary()
		if err != nil {
			return err
		}
		return durable.WriteFile(filepath.Join(tmp, name), b)
	}
	for _, mm := range meta.Members {
		m, ok := set.Member(mm.Name).Scorer.(encoding.BinaryMarshaler)
		if !ok {
			return "", fmt.Errorf("save model: %s cannot be saved", mm.Name)
		}
		if err := write(mm.File, m); err != nil {
			return "", fmt.Errorf("save model %s: %w", mm.Name, err)
		}
	}
	if set.Encoder != nil {
		meta.Encoder = encoderFile
		if err := write(encoderFile, set.Encoder); err != nil {
			return "", fmt.Errorf("save text encoder: %w", err)
		}
	}
	if set.Fusion != nil {
		meta.Fusion = fusionFile
		if err := write(fusionFile, set.Fusion); err != nil {
			return "", fmt.Errorf("save fusion model: %w", err)
		}
	}
	if set.Ranker != nil {
		meta.Ranker = rankerFile
		if err := write(rankerFile, set.Ranker); err != nil {
			return "", fmt.Errorf("save second-stage ranker: %w", err)
		}
	}
	b, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return "", fmt.Errorf("save model: %w", err)
	}
	if err := durable.WriteFile(filepath.Join(tmp, metaFile), b); err != nil {
		return "", fmt.Errorf("save model: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, meta.Version)); err != nil {
		return "", fmt.Errorf("save model: %w", err)
	}
	if err := durable.SyncDir(dir); err != nil {
		return "", fmt.Errorf("save model: %w", err)
	}
	return meta.Version, nil
}

// Latest returns the newest saved version's Meta, or ErrNoModel.
func Latest(dir string) (*Meta, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoModel
	}
	if err != nil {
		return nil, fmt.Errorf("list models: %w", err)
	}
	var versions []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			versions = append(versions, e.Name())
		}
	}
	if len(versions) == 0 {
		return nil, ErrNoModel
	}
	slices.Sort(versions)
	return readMeta(filepath.Join(dir, versions[len(versions)-1]))
}

// readMeta reads the meta.json of the version in dir.
func readMeta(dir string) (*Meta, error) {
	b, err := os.ReadFile(filepath.Join(dir, metaFile))
	if err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	m, err := ParseMeta(b)
	if err != nil {
		return nil, fmt.Errorf("read model %s: %w", dir, err)
	}
	return m, nil
}

// ParseMeta decodes a meta.json and checks that it describes a version
// Load can read: member names known, files plain names within the
// version's folder, weights only for known models.
func ParseMeta(b []byte) (*Meta, error) {
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	return &m, nil
}

// check reports the first thing wrong with m.
func (m *Meta) check() error {
	members := make(map[string]bool, len(m.Members))
	for i, mm := range m.Members {
		if !slices.Contains(BlendOrder, mm.Name) {
			return fmt.Errorf("members[%d]: unknown model %q", i, mm.Name)
		}
		if members[mm.Name] {
			return fmt.Errorf("members[%d]: model %q listed twice", i, mm.Name)
		}
		members[mm.Name] = true
		if !plainName(mm.File) {
			return fmt.Errorf("members[%d].file: %q is not a file name", i, mm.File)
		}
	}
	for field, f := range map[string]string{"encoder": m.Encoder, "fusion": m.Fusion, "ranker": m.Ranker} {
		if f != "" && !plainName(f) {
			return fmt.Errorf("%s: %q is not a file name", field, f)
		}
	}
	for n := range m.Weights {
		if !slices.Contains(BlendOrder, n) {
			return fmt.Errorf("weights: unknown model %q", n)
		}
	}
	return nil
}

// plainName reports whether f names a file directly inside a folder.
func plainName(f string) bool {
	return f != "" && f != "." && f != ".." && !strings.ContainsAny(f, `/\`) && !strings.ContainsRune(f, 0)
}

// BlendMembers returns the names of the blended models in the order of
// the blend that Load returns: member m of it is BlendMembers()[m].
func (m *Meta) BlendMembers() []string {
	var names []string
	for _, n := range BlendOrder {
		if _, ok := m.Weights[n]; ok {
			names = append(names, n)
		}
	}
	return names
}

// Load reads a saved version: its Meta and the model set, and the blend
// of its members with the learned weights.
func Load(dir, version string) (*Meta, *Set, *rank.Blend, error) {
	vdir := filepath.Join(dir, version)
	meta, err := readMeta(vdir)
	if err != nil {
		return nil, nil, nil, err
	}
	set := &Set{N: len(meta.Items)}
	read := func(file string, m encoding.BinaryUnmarshaler) error {
		b, err := os.ReadFile(filepath.Join(vdir, file))
		if err != nil {
			return err
		}
		return m.UnmarshalBinary(b)
	}
	for _, mm := range meta.Members {
		var m interface {
			rank.Scorer
			encoding.BinaryUnmarshaler
		}
		switch mm.Name {
		case ModelPopular:
			m = &candidate.Popular{}
		case ModelTransition, ModelItemCF, ModelEASE, ModelSLIST:
			m = &candidate.ItemItem{}
		case ModelMF:
			m = &candidate.MF{}
		case ModelContent:
			m = &candidate.Content{}
		}
		if err := read(mm.File, m); err != nil {
			return nil, nil, nil, fmt.Errorf("load model %s: %w", mm.Name, err)
		}
		set.Members = append(set.Members, Member{Name: mm.Name, Scorer: m, TrainSeconds: mm.TrainSeconds})
	}
	if meta.Encoder != "" {
		set.Encoder = new(ngram.Model)
		if err := read(meta.Encoder, set.Encoder); err != nil {
			return nil, nil, nil, fmt.Errorf("load text encoder: %w", err)
		}
	}
	if meta.Fusion != "" {
		set.Fusion = new(fusion.Model)
		if err := read(meta.Fusion, set.Fusion); err != nil {
			return nil, nil, nil, fmt.Errorf("load fusion model: %w", err)
		}
	}
	names := meta.BlendMembers()
	if meta.Ranker != "" {
		set.Ranker = new(rank.Reranker)
		if err := read(meta.Ranker, set.Ranker); err != nil {
			return nil, nil, nil, fmt.Errorf("load second-stage ranker: %w", err)
		}
		if !slices.Equal(set.Ranker.Members, names) || len(set.Ranker.Side.Popularity) != len(meta.Items) {
			return nil, nil, nil, fmt.Errorf("load second-stage ranker: trained over %v and %d items, the version has %v and %d", set.Ranker.Members, len(set.Ranker.Side.Popularity), names, len(meta.Items))
		}
	}
	weights := make([]float64, len(names))
	for i, n := range names {
		weights[i] = meta.Weights[n]
	}
	blend, err := set.Blend(names, weights)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("load model: %w", err)
	}
	return meta, set, blend, nil
}

// Replaces reports whether a newly trained version should replace prev:
// only if its validation NDCG@10 is not worse. Any version replaces none.
func Replaces(next, prev *Meta) bool {
	return prev == nil || next.ValidNDCG10 >= prev.ValidNDCG10
}
