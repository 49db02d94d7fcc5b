package train

import (
	"context"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aislehq/aisle/dataset"
	"github.com/aislehq/aisle/fusion"
	"github.com/aislehq/aisle/ngram"
	"github.com/aislehq/aisle/rank"
	"github.com/aislehq/aisle/recall"
)

// Meta describes a saved model version.
type Meta struct {
	Version   string    `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	// Items maps the models' item indices to catalog ids.
	Items   []string     `json:"items"`
	Members []MemberMeta `json:"members"`
	// Encoder is the file of the text encoder behind the content model
	// ("" when there is none).
	Encoder string `json:"encoder,omitempty"`
	// Fusion is the file of the fusion model behind the content model's
	// item vectors ("" when they are the text vectors alone).
	Fusion string `json:"fusion,omitempty"`
	// ContentVectors is what the content model's item vectors are
	// (VectorsText or VectorsFused; "" without a content model).
	ContentVectors string `json:"content_vectors,omitempty"`
	// Weights are the fusion weights learned on validation.
	Weights map[string]float64 `json:"weights"`
	// ValidNDCG10 is the fused ranking's NDCG@10 on the validation items
	// (the second-to-last interaction of each user), the number a new
	// version must not fall below to replace this one.
	ValidNDCG10 float64 `json:"valid_ndcg@10"`
	// Candidates is how many items each proposing model adds to the
	// candidates serving ranks (Config.Candidates).
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

// Train fits the model set for serving on all of d: SLIST's configuration
// and the fusion weights are chosen on d's validation items with models
// trained on the train split, then every model is retrained on all of d.
// The returned Meta has no Version until Save gives it one.
func Train(ctx context.Context, d *dataset.Dataset, cfg Config, logger *slog.Logger) (*Set, *Meta, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	sp := dataset.LeaveOneOut(d)
	if len(sp.Valid) == 0 {
		return nil, nil, fmt.Errorf("train: no user has the three interactions validation needs")
	}
	tr := &tracker{fn: cfg.Progress, total: cfg.tuneSteps(d.NumItems(), 1) + cfg.modelSteps()}
	tuned, err := tune(ctx, sp, cfg, []string{Fused}, logger, tr)
	if err != nil {
		return nil, nil, err
	}
	logger.Info("training on all interactions")
	set, err := models(ctx, d, tuned.cfg, logger, tr, " on all interactions")
	if err != nil {
		return nil, nil, err
	}
	meta := &Meta{
		Items: d.Items, Weights: tuned.weights[Fused], ValidNDCG10: tuned.valid[Fused], Candidates: cfg.candidates(),
		Users: len(d.Users), Interactions: d.Interactions(), Seed: cfg.Seed,
	}
	if set.Member(ModelContent) != nil {
		meta.ContentVectors = tuned.cfg.Content.Vectors
	}
	for _, m := range set.Members {
		meta.Members = append(meta.Members, MemberMeta{Name: m.Name, File: m.Name + ".bin", TrainSeconds: m.TrainSeconds})
	}
	return set, meta, nil
}

// encoderFile is the text encoder's file in a version's folder.
const encoderFile = "encoder.bin"

// ErrNoModel is returned by Latest when no version has been saved.
var ErrNoModel = errors.New("train: no saved model")

// Save writes set and meta as a new version under dir (dir/VERSION/), with
// the version taken from the current time. The version appears only once
// complete: it is written to a temporary folder and renamed.
func Save(dir string, set *Set, meta *Meta) (string, error) {
	meta.CreatedAt = time.Now().UTC()
	meta.Version = meta.CreatedAt.Format("20060102T150405.000000Z")
	tmp := filepath.Join(dir, ".tmp-"+meta.Version)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return "", fmt.Errorf("save model: %w", err)
	}
	defer os.RemoveAll(tmp)
	for _, mm := range meta.Members {
		m, ok := set.Member(mm.Name).Scorer.(encoding.BinaryMarshaler)
		if !ok {
			return "", fmt.Errorf("save model: %s cannot be saved", mm.Name)
		}
		b, err := m.MarshalBinary()
		if err != nil {
			return "", fmt.Errorf("save model %s: %w", mm.Name, err)
		}
		if err := os.WriteFile(filepath.Join(tmp, mm.File), b, 0o644); err != nil {
			return "", fmt.Errorf("save model: %w", err)
		}
	}
	if set.Encoder != nil {
		b, err := set.Encoder.MarshalBinary()
		if err != nil {
			return "", fmt.Errorf("save text encoder: %w", err)
		}
		meta.Encoder = encoderFile
		if err := os.WriteFile(filepath.Join(tmp, encoderFile), b, 0o644); err != nil {
			return "", fmt.Errorf("save model: %w", err)
		}
	}
	if set.Fusion != nil {
		b, err := set.Fusion.MarshalBinary()
		if err != nil {
			return "", fmt.Errorf("save fusion model: %w", err)
		}
		meta.Fusion = fusionFile
		if err := os.WriteFile(filepath.Join(tmp, fusionFile), b, 0o644); err != nil {
			return "", fmt.Errorf("save model: %w", err)
		}
	}
	b, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return "", fmt.Errorf("save model: %w", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "meta.json"), b, 0o644); err != nil {
		return "", fmt.Errorf("save model: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, meta.Version)); err != nil {
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

func readMeta(dir string) (*Meta, error) {
	b, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("read model %s: %w", dir, err)
	}
	return &m, nil
}

// FusionMembers returns the names of the fused models in the order of the
// Fusion that Load returns: member m of it is FusionMembers()[m].
func (m *Meta) FusionMembers() []string {
	var names []string
	for _, n := range fusionOrder {
		if _, ok := m.Weights[n]; ok {
			names = append(names, n)
		}
	}
	return names
}

// Load reads a saved version: its Meta and the model set, and the fusion
// of its members with the learned weights.
func Load(dir, version string) (*Meta, *Set, *rank.Fusion, error) {
	vdir := filepath.Join(dir, version)
	meta, err := readMeta(vdir)
	if err != nil {
		return nil, nil, nil, err
	}
	set := &Set{N: len(meta.Items)}
	for _, mm := range meta.Members {
		b, err := os.ReadFile(filepath.Join(vdir, filepath.Base(mm.File)))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("load model: %w", err)
		}
		var m interface {
			rank.Scorer
			encoding.BinaryUnmarshaler
		}
		switch mm.Name {
		case ModelPopular:
			m = &recall.Popular{}
		case ModelTransition, ModelItemCF, ModelEASE, ModelSLIST:
			m = &recall.ItemItem{}
		case ModelMF:
			m = &recall.MF{}
		case ModelContent:
			m = &recall.Content{}
		default:
			return nil, nil, nil, fmt.Errorf("load model: unknown model %q", mm.Name)
		}
		if err := m.UnmarshalBinary(b); err != nil {
			return nil, nil, nil, fmt.Errorf("load model %s: %w", mm.Name, err)
		}
		set.Members = append(set.Members, Member{Name: mm.Name, Scorer: m, TrainSeconds: mm.TrainSeconds})
	}
	if meta.Encoder != "" {
		b, err := os.ReadFile(filepath.Join(vdir, filepath.Base(meta.Encoder)))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("load text encoder: %w", err)
		}
		set.Encoder = new(ngram.Model)
		if err := set.Encoder.UnmarshalBinary(b); err != nil {
			return nil, nil, nil, fmt.Errorf("load text encoder: %w", err)
		}
	}
	if meta.Fusion != "" {
		b, err := os.ReadFile(filepath.Join(vdir, filepath.Base(meta.Fusion)))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("load fusion model: %w", err)
		}
		set.Fusion = new(fusion.Model)
		if err := set.Fusion.UnmarshalBinary(b); err != nil {
			return nil, nil, nil, fmt.Errorf("load fusion model: %w", err)
		}
	}
	names := meta.FusionMembers()
	weights := make([]float64, len(names))
	for i, n := range names {
		weights[i] = meta.Weights[n]
	}
	fused, err := set.Fuse(names, weights)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("load model: %w", err)
	}
	return meta, set, fused, nil
}

// Replaces reports whether a newly trained version should replace prev:
// only if its validation NDCG@10 is not worse. Any version replaces none.
func Replaces(next, prev *Meta) bool {
	return prev == nil || next.ValidNDCG10 >= prev.ValidNDCG10
}
