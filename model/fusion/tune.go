package fusion

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
)

// Config holds Tune's settings. The zero value of every field means its
// default; the defaults were chosen on Amazon Office's leave-one-out
// validation items (text and behaviour).
type Config struct {
	// Step is coordinate ascent's first step on each gate parameter.
	// Default 2.
	Step float64
	// MinStep is its last: the step halves after a round that improves
	// nothing, down to MinStep. Default 0.25.
	MinStep float64
	// Rounds caps the rounds (passes over every parameter) at each step.
	// Default 4.
	Rounds int
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	c.Step, c.MinStep, c.Rounds = cmp.Or(c.Step, 2), cmp.Or(c.MinStep, 0.25), cmp.Or(c.Rounds, 4)
	return c
}

// validate checks a config that has its defaults filled in.
func (c Config) validate() error {
	switch {
	case !(c.Step > 0) || c.Step > maxParam:
		return fmt.Errorf("step %g: want in (0, %d]", c.Step, maxParam)
	case !(c.MinStep > 0) || c.MinStep > c.Step:
		return fmt.Errorf("min step %g: want in (0, step %g]", c.MinStep, c.Step)
	case c.Rounds < 1:
		return fmt.Errorf("rounds %d: want at least 1", c.Rounds)
	}
	return nil
}

// Score rates a model; higher is better. Tune calls it one model at a
// time.
type Score func(ctx context.Context, m *Model) (float64, error)

// Tune returns the model over start's modalities (its centres and
// predictors) whose gate parameters
// maximise score, found by coordinate ascent from start's: each
// parameter in turn moves by ±step when that scores higher (ties keep
// the current one), rounds repeat while one improves (at most
// cfg.Rounds), then the step halves down to cfg.MinStep. It also returns
// the best score. It is deterministic when score is, and returns an error
// for an invalid cfg, an error from score, or a done ctx.
func Tune(ctx context.Context, start *Model, score Score, cfg Config) (*Model, float64, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, 0, fmt.Errorf("fusion tune: %w", err)
	}
	c := *start
	c.a, c.b = slices.Clone(start.a), slices.Clone(start.b)
	m := &c
	best, err := score(ctx, m)
	if err != nil {
		return nil, 0, fmt.Errorf("fusion tune: %w", err)
	}
	params := make([]*float64, 0, 2*len(m.a))
	for k := range m.a {
		params = append(params, &m.a[k], &m.b[k])
	}
	for step := cfg.Step; step >= cfg.MinStep; step /= 2 {
		for range cfg.Rounds {
			improved := false
			for _, p := range params {
				orig := *p
				for _, cand := range []float64{orig + step, orig - step} {
					if math.Abs(cand) > maxParam {
						continue
					}
					if err := ctx.Err(); err != nil {
						return nil, 0, fmt.Errorf("fusion tune: %w", err)
					}
					*p = cand
					s, err := score(ctx, m)
					if err != nil {
						return nil, 0, fmt.Errorf("fusion tune: %w", err)
					}
					if s > best {
						best, orig, improved = s, cand, true
						break
					}
				}
				*p = orig
			}
			if !improved {
				break
			}
		}
	}
	return m, best, nil
}
